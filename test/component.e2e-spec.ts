import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, craftPush, createTenant, fetchPage, sendPush, sql, startSession } from './support/onboarding';

const status = async (h: Harness) =>
  (await request(h.url).get('/v1/component/status').set(bearer(h.operatorKey)).expect(200)).body;
const nowSec = () => Math.floor(Date.now() / 1000);
const otherAesKey = () => randomBytes(32).toString('base64').replace(/[+/]/g, 'B').slice(0, 43);

describe('component: pushes to the event URL, the verify ticket and the component token', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const counts = async () => ({
    receipts: Number((await sql<{ n: string }>(h, `SELECT count(*) AS n FROM component_push_receipts`))[0].n),
    state: await sql(h, `SELECT ticket, ticket_create_time, ticket_received_at FROM component_state`),
  });

  it('GET /v1/component/status before any ticket: absent and stale, no token; operator only', async () => {
    expect(await status(h)).toEqual({
      componentAppId: h.config.wechat.componentAppId,
      mode: 'sandbox',
      ticket: { receivedAt: null, ageSeconds: null, stale: true, overdue: true, pushRequestedAt: null },
      componentToken: { expiresAt: null },
      // The console's message and event URL, with WeChat's placeholder.
      messageEventUrlTemplate: `${h.config.publicBaseUrl}/wechat/authorizers/$APPID$/events`,
      dailyCalls: {
        resetsAt: expect.any(String),
        apis: [
          { api: 'api_create_preauthcode', callsToday: 0, dailyBudget: 10_000, remaining: 10_000 },
          { api: 'api_query_auth', callsToday: 0, dailyBudget: 10_000, remaining: 10_000 },
        ],
      },
      secrets: { currentKeyId: expect.stringMatching(/^[0-9a-f]{8}$/), rowsUnderPreviousKey: 0, byTable: expect.any(Object) },
    });
    expect((await request(h.url).get('/v1/component/status').expect(401)).body.error.code).toBe('UNAUTHENTICATED');
    const t = await createTenant(h);
    expect((await request(h.url).get('/v1/component/status').set(bearer(t.apiKey)).expect(403)).body.error.code).toBe(
      'FORBIDDEN',
    );
  });

  it('no ticket yet → 503 COMPONENT_TICKET_MISSING and at most one api_start_push_ticket, however often asked', async () => {
    const t = await createTenant(h);
    const s = await startSession(h, t.id);
    // WeChat answers api_start_push_ticket by pushing a ticket; keep that push from landing for now.
    h.sim.setEventUrl('http://127.0.0.1:9/unreachable');
    try {
      for (let i = 0; i < 3; i++) {
        const page = await fetchPage(s.onboardingUrl);
        expect(page.status).toBe(503);
        expect(page.html).toContain('COMPONENT_TICKET_MISSING');
      }
      const json = await request(h.url).get(new URL(s.onboardingUrl).pathname).set('Accept', 'application/json').expect(503);
      expect(json.body.error.code).toBe('COMPONENT_TICKET_MISSING');
      expect(json.headers['retry-after']).toBeDefined();
      expect(h.sim.calls({ api: 'component/api_start_push_ticket' })).toHaveLength(1);
      expect(h.sim.calls({ api: 'component/api_component_token' })).toHaveLength(0);
    } finally {
      h.sim.setEventUrl(`${h.url}/wechat/component/events`);
    }
  });

  it('a ticket push is answered with plain `success` and stored (encrypted); status reports it', async () => {
    await h.sim.pushTicket();
    const push = h.sim
      .pushes()
      .filter((p) => p.infoType === 'component_verify_ticket')
      .at(-1);
    expect(push).toMatchObject({ acknowledged: true, httpStatus: 200, reply: 'success' });
    const { state } = await counts();
    expect(state).toHaveLength(1);
    expect(String(state[0].ticket)).toMatch(/^v2\./);
    expect(String(state[0].ticket)).not.toContain('ticket@@@');
    const st = await status(h);
    expect(st.ticket.stale).toBe(false);
    expect(st.ticket.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(Date.parse(st.ticket.receivedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('with a ticket the onboarding page works and the component token shows in status (value never)', async () => {
    const t = await createTenant(h);
    const s = await startSession(h, t.id);
    expect((await fetchPage(s.onboardingUrl)).status).toBe(200);
    const st = await status(h);
    expect(Date.parse(st.componentToken.expiresAt)).toBeGreaterThan(Date.now() + 60 * 60_000);
    expect(JSON.stringify(st)).not.toMatch(/token"\s*:\s*"[A-Za-z0-9]{40,}/);
  });

  it('answers exactly `success` as text/plain', async () => {
    const push = craftPush(h, { CreateTime: nowSec(), InfoType: 'some_future_event' });
    const res = await sendPush(h, push).expect(200);
    expect(res.text).toBe('success');
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('a ticket older (by CreateTime) than the stored one is ignored', async () => {
    const [before] = await sql<{ ticket_create_time: string; ticket_received_at: Date }>(
      h,
      `SELECT ticket_create_time, ticket_received_at FROM component_state`,
    );
    const older = craftPush(h, {
      CreateTime: Number(before.ticket_create_time) - 100,
      InfoType: 'component_verify_ticket',
      ComponentVerifyTicket: 'ticket@@@older',
    });
    expect((await sendPush(h, older).expect(200)).text).toBe('success');
    const [after] = await sql(h, `SELECT ticket_create_time, ticket_received_at FROM component_state`);
    expect(after).toEqual(before);
  });

  it('a replayed push (same signature, timestamp, nonce) → `success` again, processed once', async () => {
    // Same CreateTime as the stored ticket: accepted (not older), and the simulator's next ticket still wins.
    const [stored] = await sql<{ ticket_create_time: string }>(h, `SELECT ticket_create_time FROM component_state`);
    const push = craftPush(h, {
      CreateTime: Number(stored.ticket_create_time),
      InfoType: 'component_verify_ticket',
      ComponentVerifyTicket: 'ticket@@@replayed',
    });
    const before = await counts();
    expect((await sendPush(h, push).expect(200)).text).toBe('success');
    const once = await counts();
    expect(once.receipts).toBe(before.receipts + 1);
    expect(once.state).not.toEqual(before.state); // processed: the ticket was stored anew
    await new Promise((r) => setTimeout(r, 20));
    expect((await sendPush(h, push).expect(200)).text).toBe('success');
    const twice = await counts();
    expect(twice).toEqual(once); // not stored again: ticket_received_at unchanged
    // The real ticket is back for the rest of the suite.
    await h.sim.pushTicket();
  });

  describe('rejected pushes → 401 error JSON, nothing stored, nothing done', () => {
    const cases: [string, (h: Harness) => { path: string; body: string }][] = [
      [
        'bad signature',
        (h) => {
          const p = craftPush(h, {
            CreateTime: nowSec(),
            InfoType: 'component_verify_ticket',
            ComponentVerifyTicket: 'ticket@@@x',
          });
          return { ...p, path: p.path.replace(/msg_signature=[0-9a-f]{40}/, `msg_signature=${'0'.repeat(40)}`) };
        },
      ],
      [
        'signed with another token',
        (h) =>
          craftPush(
            h,
            { CreateTime: nowSec(), InfoType: 'component_verify_ticket', ComponentVerifyTicket: 'ticket@@@x' },
            { token: 'someoneelse' },
          ),
      ],
      [
        'timestamp 301 s old',
        (h) =>
          craftPush(
            h,
            { CreateTime: nowSec(), InfoType: 'component_verify_ticket', ComponentVerifyTicket: 'ticket@@@x' },
            { timestamp: nowSec() - 301 },
          ),
      ],
      [
        'timestamp 310 s ahead (10 s of margin: the gap shrinks while a slow machine gets to it)',
        (h) =>
          craftPush(
            h,
            { CreateTime: nowSec(), InfoType: 'component_verify_ticket', ComponentVerifyTicket: 'ticket@@@x' },
            { timestamp: nowSec() + 310 },
          ),
      ],
      [
        'wrong appid tail',
        (h) =>
          craftPush(
            h,
            { CreateTime: nowSec(), InfoType: 'component_verify_ticket', ComponentVerifyTicket: 'ticket@@@x' },
            { appId: 'wxsomeoneelse01' },
          ),
      ],
      [
        'encrypted with an unknown key',
        (h) =>
          craftPush(
            h,
            { CreateTime: nowSec(), InfoType: 'component_verify_ticket', ComponentVerifyTicket: 'ticket@@@x' },
            { encodingAESKey: otherAesKey() },
          ),
      ],
      [
        'garbage XML body',
        (h) => {
          const p = craftPush(h, { CreateTime: nowSec(), InfoType: 'component_verify_ticket' });
          return { ...p, body: '<xml><Encrypt>unterminated' };
        },
      ],
      [
        'XML with a DOCTYPE',
        (h) => {
          const p = craftPush(h, { CreateTime: nowSec(), InfoType: 'component_verify_ticket' });
          return { ...p, body: `<!DOCTYPE xml [<!ENTITY x "y">]>${p.body}` };
        },
      ],
      [
        'no Encrypt element',
        (h) => {
          const p = craftPush(h, { CreateTime: nowSec(), InfoType: 'component_verify_ticket' });
          return { ...p, body: '<xml><AppId>x</AppId></xml>' };
        },
      ],
      [
        'missing query parameters',
        (h) => {
          const p = craftPush(h, { CreateTime: nowSec(), InfoType: 'component_verify_ticket' });
          return { ...p, path: '/wechat/component/events' };
        },
      ],
      [
        'encrypt_type not aes',
        (h) => {
          const p = craftPush(h, { CreateTime: nowSec(), InfoType: 'component_verify_ticket' });
          return { ...p, path: p.path.replace('encrypt_type=aes', 'encrypt_type=raw') };
        },
      ],
    ];

    it.each(cases)('%s', async (_name, make) => {
      const before = await counts();
      const since = h.sim.calls().at(-1)?.seq ?? 0;
      const res = await sendPush(h, make(h)).expect(401);
      expect(res.body).toEqual({
        error: { code: 'PUSH_REJECTED', message: expect.any(String), requestId: expect.any(String), details: expect.anything() },
      });
      expect(await counts()).toEqual(before);
      expect(h.sim.calls({ since })).toHaveLength(0);
    });

    it('a JSON body', async () => {
      const before = await counts();
      const p = craftPush(h, { CreateTime: nowSec(), InfoType: 'component_verify_ticket' });
      const res = await request(h.url).post(p.path).send({ Encrypt: 'x' }).expect(401);
      expect(res.body.error.code).toBe('PUSH_REJECTED');
      expect(await counts()).toEqual(before);
    });
  });

  it('status: a ticket older than 12 h is stale', async () => {
    await sql(h, `UPDATE component_state SET ticket_received_at = now() - interval '13 hours'`);
    const st = await status(h);
    expect(st.ticket.stale).toBe(true);
    expect(st.ticket.ageSeconds).toBeGreaterThanOrEqual(13 * 3600);
    await h.sim.pushTicket();
    expect((await status(h)).ticket.stale).toBe(false);
  });

  it('a component token WeChat rejects is refreshed once for many concurrent callers (compare-then-expire, single flight)', async () => {
    const t = await createTenant(h);
    const s = await startSession(h, t.id);
    expect((await fetchPage(s.onboardingUrl)).status).toBe(200); // a token is held
    // Eight sessions whose first views each need a pre-auth code (reloads of one session would reuse its code).
    const others = await Promise.all(Array.from({ length: 8 }, () => startSession(h, t.id)));
    const since = h.sim.calls().at(-1)?.seq ?? 0;
    h.sim.expireTokens({ kind: 'component' });
    const pages = await Promise.all(others.map((o) => fetchPage(o.onboardingUrl)));
    expect(pages.map((p) => p.status)).toEqual(Array(8).fill(200));
    expect(h.sim.calls({ api: 'component/api_component_token', since })).toHaveLength(1);
  });

  it('a component token with under 10 minutes left is refreshed before use, once', async () => {
    await sql(h, `UPDATE component_state SET access_token_expires_at = now() + interval '9 minutes'`);
    const t = await createTenant(h);
    const s = await startSession(h, t.id);
    const since = h.sim.calls().at(-1)?.seq ?? 0;
    const pages = await Promise.all(Array.from({ length: 5 }, () => fetchPage(s.onboardingUrl)));
    expect(pages.every((p) => p.status === 200)).toBe(true);
    const refreshes = h.sim.calls({ api: 'component/api_component_token', since });
    expect(refreshes).toHaveLength(1);
    // The refresh happened before any pre-auth code was asked for with the old token.
    const firstPreAuth = h.sim.calls({ api: 'component/api_create_preauthcode', since })[0];
    expect(refreshes[0].seq).toBeLessThan(firstPreAuth.seq);
    expect(Date.parse((await status(h)).componentToken.expiresAt)).toBeGreaterThan(Date.now() + 60 * 60_000);
  });
});

describe('component: EncodingAESKey rotation', () => {
  let h: Harness;
  const previous = otherAesKey();
  beforeAll(async () => {
    h = await startHarness({ config: (c) => ({ ...c, wechat: { ...c.wechat, previousEncodingAESKey: previous } }) });
  });
  afterAll(() => h.close());

  it('decrypts with the current key, then the previous one', async () => {
    const create = nowSec();
    const old = craftPush(
      h,
      { CreateTime: create, InfoType: 'component_verify_ticket', ComponentVerifyTicket: 'ticket@@@old-key' },
      { encodingAESKey: previous },
    );
    expect((await sendPush(h, old).expect(200)).text).toBe('success');
    const [row] = await sql<{ ticket_create_time: string }>(h, `SELECT ticket_create_time FROM component_state`);
    expect(Number(row.ticket_create_time)).toBe(create);
    await h.sim.pushTicket(); // current key
    expect(h.sim.pushes().at(-1)?.acknowledged).toBe(true);
    const stranger = craftPush(
      h,
      { CreateTime: create + 5, InfoType: 'component_verify_ticket', ComponentVerifyTicket: 'ticket@@@x' },
      { encodingAESKey: otherAesKey() },
    );
    expect((await sendPush(h, stranger).expect(401)).body.error.code).toBe('PUSH_REJECTED');
  });
});
