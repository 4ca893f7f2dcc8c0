import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, createTenant } from './support/onboarding';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function expectErrorJson(res: request.Response, status: number, code: string) {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
}

/** Hostile values found on routes the first hardening pass missed: each a clear 4xx, never a 500. */
describe('hardening: more bad input answered 4xx', () => {
  let h: Harness;
  let tenant: { id: string; apiKey: string };
  beforeAll(async () => {
    h = await startHarness({
      config: (c) => ({ ...c, mode: 'production', rateLimits: { failedAuthPerMinute: 10_000 } }),
    });
    tenant = await createTenant(h, 'Hostile input');
  });
  afterAll(() => h?.close());
  afterEach(async () => {
    await request(h.url).get('/health/live').expect(200);
  });
  const op = () => bearer(h.operatorKey);

  it('PATCH a webhook endpoint with {"url": null} → 400 VALIDATION_FAILED', async () => {
    for (const base of ['/v1/webhook-endpoints', `/v1/tenants/${tenant.id}/webhook-endpoints`]) {
      const ep = await request(h.url).post(base).set(op()).send({ url: 'https://93.184.215.14/h' }).expect(201);
      const res = await request(h.url).patch(`${base}/${ep.body.id}`).set(op()).send({ url: null });
      expectErrorJson(res, 400, 'VALIDATION_FAILED');
    }
  });

  it('a token key name holding NUL → 400 VALIDATION_FAILED', async () => {
    const res = await request(h.url).post(`/v1/tenants/${tenant.id}/token-keys`).set(op()).send({ name: 'a\u0000b' });
    expectErrorJson(res, 400, 'VALIDATION_FAILED');
  });

  it('the token-keys reply, which carries the wtt_ key once, is Cache-Control: no-store', async () => {
    const res = await request(h.url).post(`/v1/tenants/${tenant.id}/token-keys`).set(op()).send({ name: 'reader' }).expect(201);
    expect(res.body.key ?? res.body.tokenKey ?? JSON.stringify(res.body)).toMatch(/wtt_/);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('GET /v1/tenants with a cursor dated year 0000 → 400 VALIDATION_FAILED', async () => {
    const cursor = b64(['0000-01-01T00:00:00.000Z', '00000000-0000-4000-8000-000000000000']);
    expectErrorJson(await request(h.url).get('/v1/tenants').query({ cursor }).set(op()), 400, 'VALIDATION_FAILED');
    const ep = await request(h.url).post('/v1/webhook-endpoints').set(op()).send({ url: 'https://93.184.215.14/c' }).expect(201);
    for (const path of ['/v1/webhook-endpoints', `/v1/webhook-endpoints/${ep.body.id}/deliveries`]) {
      expectErrorJson(await request(h.url).get(path).query({ cursor }).set(op()), 400, 'VALIDATION_FAILED');
    }
  });

  it('POST authorization-sessions with {"returnUrl": null} → 400 VALIDATION_FAILED', async () => {
    const res = await request(h.url).post(`/v1/tenants/${tenant.id}/authorization-sessions`).set(op()).send({ returnUrl: null });
    expectErrorJson(res, 400, 'VALIDATION_FAILED');
  });

  describe('console', () => {
    let cookie: string;
    let csrf: string;
    beforeAll(async () => {
      const login = await request(h.url).post('/console/login').type('form').send({ key: h.operatorKey }).expect(303);
      cookie = login.headers['set-cookie'][0].split(';')[0];
      const page = await request(h.url).get(`/console/tenants/${tenant.id}`).set('Cookie', cookie).expect(200);
      csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1];
    });

    it('search with q=%00 → 400 page', async () => {
      const res = await request(h.url).get('/console/tenants?q=%00').set('Cookie', cookie);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      const ok = await request(h.url).get('/console/tenants?q=%20hostile%20').set('Cookie', cookie);
      expect(ok.status).toBe(200);
    });

    it('cancel with a job id that is not a UUID → a 4xx page, not a 500', async () => {
      const res = await request(h.url)
        .post(`/console/tenants/${tenant.id}/jobs/not-a-uuid/cancel`)
        .set('Cookie', cookie)
        .type('form')
        .send({ csrf });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/text\/html/);
    });
  });
});
