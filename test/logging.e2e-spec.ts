import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, createTenant, startSession } from './support/onboarding';

describe('request logs: statuses visible, secrets redacted (simulator over HTTP)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.sim.pushTicket();
  });
  afterAll(() => h.close());

  const requestLines = () =>
    h.logs.lines.map((l) => JSON.parse(l) as Record<string, any>).filter((l) => l.req?.url !== undefined && l.res !== undefined);

  it('every request line carries its numeric statusCode (2xx, 4xx) and no credential', async () => {
    const wrongKey = 'op_WRONGWRONGWRONGWRONGWRONG';
    await request(h.url).get('/v1/tenants').set(bearer(wrongKey)).set('Cookie', 'console_session=COOKIE-SECRET').expect(401);
    await request(h.url).get('/v1/tenants/00000000-0000-4000-8000-000000000000').set(bearer(h.operatorKey)).expect(404);
    const t = await createTenant(h);
    const s = await startSession(h, t.id);
    await fetch(`${h.url}/wechat/authorization/callback?session=${s.id}&auth_code=AUTHCODE-SECRET&expires_in=600`);
    await fetch(`${h.url}/wechat/component/events?timestamp=1&nonce=2&msg_signature=SIGNATURE-SECRET`, {
      method: 'POST',
      body: '<xml><AppId>x</AppId><Encrypt>ENCRYPT-SECRET</Encrypt></xml>',
      headers: { 'Content-Type': 'text/xml' },
    });

    const lines = requestLines();
    const statusOf = (pred: (url: string) => boolean) => lines.filter((l) => pred(l.req.url)).map((l) => l.res.statusCode);
    expect(statusOf((u) => u === '/v1/tenants')).toContain(401);
    expect(statusOf((u) => u.startsWith('/v1/tenants/00000000'))).toContain(404);
    expect(statusOf((u) => u === '/v1/tenants' || u.endsWith('/authorization-sessions'))).toEqual(expect.arrayContaining([201]));
    for (const l of lines) expect(typeof l.res.statusCode).toBe('number');
    const callback = lines.find((l) => l.req.url.startsWith('/wechat/authorization/callback'))!;
    expect(callback.req.url).toBe('/wechat/authorization/callback?session=[REDACTED]&auth_code=[REDACTED]&expires_in=600');

    const all = h.logs.text();
    for (const secret of [
      wrongKey,
      h.operatorKey,
      t.apiKey,
      'COOKIE-SECRET',
      'AUTHCODE-SECRET',
      'SIGNATURE-SECRET',
      'ENCRYPT-SECRET',
    ]) {
      expect(all).not.toContain(secret);
    }
    expect(all).not.toContain(s.onboardingUrl.split('/').pop());
  });

  it("Nest's route-mapping and module lines are not logged at info", () => {
    const chatter = h.logs.lines.filter((l) => /"context":"(RouterExplorer|RoutesResolver|InstanceLoader)"/.test(l));
    expect(chatter).toEqual([]);
    // The harness logs at info: the app did start and log other things.
    expect(h.logs.lines.length).toBeGreaterThan(0);
  });
});
