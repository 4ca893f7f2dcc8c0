import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import {
  authorizeThroughPage,
  bearer,
  callsTo,
  createTenant,
  fetchPage,
  linkHref,
  settlePushes,
  sql,
  startSession,
} from './support/onboarding';

const count = (h: Harness, api: string) => callsTo(h, api).length;
const preAuthCodeOf = (html: string) => new URL(linkHref(html, 'authorize-pc')).searchParams.get('pre_auth_code');

/** Anonymous visitors cannot spend the component's shared WeChat quota. */
describe('onboarding: the component quota is protected from anonymous callers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: (c) => ({ ...c, rateLimits: { publicRequestsPerMinute: 25 } }) });
    await h.sim.pushTicket();
  });
  afterAll(() => h.close());

  it('rapid reloads of a session reuse its pre-auth code: 10 views, 1 api_create_preauthcode', async () => {
    const t = await createTenant(h, 'Reloads');
    const s = await startSession(h, t.id);
    const before = count(h, 'api_create_preauthcode');
    const views = await Promise.all(Array.from({ length: 10 }, () => fetchPage(s.onboardingUrl)));
    expect(views.map((v) => v.status)).toEqual(Array(10).fill(200));
    expect(new Set(views.map((v) => preAuthCodeOf(v.html))).size).toBe(1);
    expect(count(h, 'api_create_preauthcode') - before).toBe(1);
    const rows = await sql(h, `SELECT 1 FROM pre_auth_codes WHERE session_id = $1`, [s.id]);
    expect(rows).toHaveLength(1);
  });

  it('a code near expiry is not reused: the next view mints a fresh one', async () => {
    const t = await createTenant(h, 'NearExpiry');
    const s = await startSession(h, t.id);
    const first = preAuthCodeOf((await fetchPage(s.onboardingUrl)).html);
    await sql(h, `UPDATE pre_auth_codes SET expires_at = now() + interval '30 seconds' WHERE session_id = $1`, [s.id]);
    const second = preAuthCodeOf((await fetchPage(s.onboardingUrl)).html);
    expect(second).not.toBe(first);
  });

  it('after 5 bad codes a session stops calling api_query_auth and answers the start-again page', async () => {
    const t = await createTenant(h, 'Guesses');
    const s = await startSession(h, t.id);
    const before = count(h, 'api_query_auth');
    const answers = [];
    for (let i = 0; i < 8; i++) {
      const res = await request(h.url)
        .get('/wechat/authorization/callback')
        .query({ session: s.id, auth_code: `guess-${i}-${Date.now()}`, expires_in: '600' })
        .set('Accept', 'application/json');
      answers.push([res.status, res.body.error?.code]);
    }
    expect(answers).toEqual(Array(8).fill([400, 'AUTHORIZATION_CODE_INVALID']));
    expect(count(h, 'api_query_auth') - before).toBe(5);
  });

  it('open sessions per tenant are capped at 20: the 21st → 409 TOO_MANY_SESSIONS', async () => {
    const t = await createTenant(h, 'Sessions');
    await Promise.all(Array.from({ length: 20 }, () => startSession(h, t.id)));
    const res = await request(h.url).post(`/v1/tenants/${t.id}/authorization-sessions`).set(bearer(t.apiKey)).send({});
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual(
      expect.objectContaining({ code: 'TOO_MANY_SESSIONS', details: expect.objectContaining({ limit: 20 }) }),
    );
    // Another tenant is unaffected; an expired session frees a place.
    const other = await createTenant(h, 'Other');
    await startSession(h, other.id);
    await sql(
      h,
      `UPDATE authorization_sessions SET expires_at = now() WHERE id = (SELECT id FROM authorization_sessions WHERE tenant_id = $1 LIMIT 1)`,
      [t.id],
    );
    await startSession(h, t.id);
  });

  it("WeChat's own daily quota spent (45009 on api_create_preauthcode): 429 until midnight China time, said plainly", async () => {
    const t = await createTenant(h, 'WeChatQuota');
    const s = await startSession(h, t.id);
    h.sim.addFault({ api: 'component/api_create_preauthcode', type: 'errcode', errcode: 45009, count: 2 });
    try {
      const midnight = new Date((Math.floor((Date.now() + 8 * 3600_000) / 86_400_000) + 1) * 86_400_000 - 8 * 3600_000);
      const page = await fetchPage(s.onboardingUrl, 'zh-CN');
      expect(page.status).toBe(429);
      const retryAfter = Number(page.headers.get('retry-after'));
      expect(Math.abs(Date.now() + retryAfter * 1000 - midnight.getTime())).toBeLessThan(5000);
      expect(page.html).not.toContain('微信暂无响应');
      expect(page.html).toContain('北京时间');
      expect(page.html).toContain('<code id="error-code">COMPONENT_QUOTA_EXHAUSTED</code>');
      // The time it resets, in China time, on the page.
      const cst = new Date(midnight.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
      expect(page.html).toContain(`${cst} 00:00`);
      const json = await request(s.onboardingUrl.replace(/^(https?:\/\/[^/]+).*/, '$1'))
        .get(new URL(s.onboardingUrl).pathname)
        .set('Accept', 'application/json');
      expect(json.status).toBe(429);
      expect(json.body.error).toEqual(
        expect.objectContaining({
          code: 'COMPONENT_QUOTA_EXHAUSTED',
          details: { api: 'api_create_preauthcode', resetsAt: midnight.toISOString() },
        }),
      );
      expect(Number(json.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      h.sim.clearFaults();
    }
  });

  it('/v1/component/status shows the component’s own daily calls and budget', async () => {
    const res = await request(h.url).get('/v1/component/status').set(bearer(h.operatorKey)).expect(200);
    expect(res.body.dailyCalls).toEqual({
      resetsAt: expect.any(String),
      apis: [
        { api: 'api_create_preauthcode', callsToday: expect.any(Number), dailyBudget: 10_000, remaining: expect.any(Number) },
        { api: 'api_query_auth', callsToday: expect.any(Number), dailyBudget: 10_000, remaining: expect.any(Number) },
      ],
    });
    const [preauth, query] = res.body.dailyCalls.apis;
    expect(preauth.callsToday).toBe(h.sim.calls({ api: 'component/api_create_preauthcode' }).length);
    expect(query.callsToday).toBe(h.sim.calls({ api: 'component/api_query_auth' }).length);
    expect(preauth.remaining).toBe(10_000 - preauth.callsToday);
  });

  it('a callback never answers 5xx after a successful exchange, even with an unusable stored returnUrl', async () => {
    const t = await createTenant(h, 'BadReturn');
    const s = await startSession(h, t.id, { returnUrl: 'https://shop.example/done' });
    // A row written before returnUrls were parsed with new URL.
    await sql(h, `UPDATE authorization_sessions SET return_url = 'http://a.0x7f' WHERE id = $1`, [s.id]);
    const cb = await authorizeThroughPage(h, s.onboardingUrl, { push: 'after' });
    expect(cb.status).toBe(200);
    await settlePushes(h);
    const again = await fetch(cb.callbackUrl, { redirect: 'manual' });
    expect(again.status).toBeLessThan(500);
  });

  it('public pages and the callback are rate limited per client address: 429 in the error JSON with Retry-After', async () => {
    const t = await createTenant(h, 'Flood');
    const s = await startSession(h, t.id);
    const statuses: number[] = [];
    let limited: request.Response | undefined;
    for (let i = 0; i < 30; i++) {
      const res = await request(h.url).get(new URL(s.onboardingUrl).pathname).set('Accept', 'application/json');
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses).toContain(429);
    expect(limited!.body.error).toEqual(expect.objectContaining({ code: 'RATE_LIMITED', requestId: expect.any(String) }));
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
    for (let i = 0; i < 30; i++) {
      const res = await request(h.url).get('/wechat/authorization/callback').query({ session: s.id });
      statuses.push(res.status);
    }
    expect(statuses.slice(30)).toContain(429);
    // A merchant's browser gets a page in its language, not the error JSON (Retry-After kept).
    const page = await request(h.url).get(new URL(s.onboardingUrl).pathname).set('Accept', 'text/html').expect(429);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(Number(page.headers['retry-after'])).toBeGreaterThan(0);
    expect(page.text).toContain('<html lang="zh-CN">');
    expect(page.text).toContain('请稍候');
    expect(page.text).toContain('<code id="error-code">RATE_LIMITED</code>');
    const english = await request(h.url)
      .get(`${new URL(s.onboardingUrl).pathname}?lang=en`)
      .set('Accept', 'text/html')
      .expect(429);
    expect(english.text).toContain('Please wait a moment');
    // Keyed routes are not affected by the public limit.
    await request(h.url).get(`/v1/tenants/${t.id}`).set(bearer(h.operatorKey)).expect(200);
  });
});
