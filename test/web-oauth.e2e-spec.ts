// Over 300 lines on purpose: one harness and one onboarded tenant serve the whole hosted flow, its
// redemptions and the direct exchange; split, each file would onboard and configure its own.
import request from 'supertest';
import { WebOAuthSweep } from '../apps/gateway/src/web-oauth/web-oauth-sweep.schedule';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, createTenant, onboardTenant, sql, type OnboardedTenant } from './support/onboarding';
import {
  allowOrigins,
  authorizeUrl,
  createTokenKey,
  decideAtWeChat,
  H5_ORIGIN,
  open,
  redeem,
  runFlow,
} from './support/web-oauth';

const exchangeCalls = (h: Harness, since = 0) => h.sim.calls({ api: 'sns/oauth2/component/access_token', since });

describe('web authorization on behalf of the Official Account (hosted flow, redemptions, direct exchange)', () => {
  let h: Harness;
  let t: OnboardedTenant;

  beforeAll(async () => {
    // The simulator plays a component whose 公众号开发域名 is the gateway's host only.
    h = await startHarness({ sim: { webOAuthDomains: ['127.0.0.1'] } });
    t = await onboardTenant(h, { permissionSets: [2, 4], followers: ['o_fan_1', 'o_fan_2'] });
    await allowOrigins(h, t.id);
  });
  afterAll(() => h?.close());

  describe('webOAuthOrigins', () => {
    it('is [] for a new tenant, set by an operator (origins normalised), shown on the view', async () => {
      const fresh = await createTenant(h, 'Origins');
      const before = await request(h.url).get(`/v1/tenants/${fresh.id}`).set(bearer(h.operatorKey)).expect(200);
      expect(before.body.webOAuthOrigins).toEqual([]);
      const res = await request(h.url)
        .patch(`/v1/tenants/${fresh.id}`)
        .set(bearer(h.operatorKey))
        .send({ webOAuthOrigins: ['https://H5.Shop.example/', 'http://127.0.0.1:8080'] })
        .expect(200);
      expect(res.body).toMatchObject({ id: fresh.id, webOAuthOrigins: ['https://h5.shop.example', 'http://127.0.0.1:8080'] });
    });

    it('400 VALIDATION_FAILED for an entry that is not an origin; 403 for a tenant key; 404 for an unknown tenant', async () => {
      const fresh = await createTenant(h, 'Origins 2');
      for (const bad of ['https://h5.shop.example/path', 'not a url', 'ftp://x.example', 'https://u:p@x.example', 42]) {
        const res = await request(h.url)
          .patch(`/v1/tenants/${fresh.id}`)
          .set(bearer(h.operatorKey))
          .send({ webOAuthOrigins: [bad] });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
      }
      await request(h.url).patch(`/v1/tenants/${fresh.id}`).set(bearer(fresh.apiKey)).send({ webOAuthOrigins: [] }).expect(403);
      await request(h.url)
        .patch('/v1/tenants/00000000-0000-4000-8000-000000000000')
        .set(bearer(h.operatorKey))
        .send({ webOAuthOrigins: [] })
        .expect(404);
    });
  });

  describe('authorize', () => {
    it('302 to WeChat’s authorize URL exactly as the contract writes it; the caller’s state never goes to WeChat', async () => {
      const res = await open(authorizeUrl(h, t.id, { scope: 'snsapi_base', returnUrl: `${H5_ORIGIN}/m?x=1`, state: 'my-state' }));
      expect(res.status).toBe(302);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const m =
        /^(.*)\/connect\/oauth2\/authorize\?appid=([^&]+)&redirect_uri=([^&]+)&response_type=code&scope=snsapi_base&state=([A-Za-z0-9]+)&component_appid=([^&#]+)#wechat_redirect$/.exec(
          res.location!,
        );
      expect(m).not.toBeNull();
      expect(m![1]).toBe(h.config.wechat.openBaseUrl);
      expect(m![2]).toBe(t.appId);
      expect(m![3]).toBe(encodeURIComponent(`${h.config.publicBaseUrl}/web-oauth/callback`));
      expect(m![4]).not.toContain('my-state');
      expect(m![5]).toBe(h.config.wechat.componentAppId);
    });

    it('refusals are pages (zh-CN by default) or the error JSON, with the usual status and code', async () => {
      const pending = await createTenant(h, 'Pending');
      const noWeb = await onboardTenant(h, { permissionSets: [2], followers: ['o_x'] });
      await allowOrigins(h, noWeb.id);
      const base = { scope: 'snsapi_base', returnUrl: `${H5_ORIGIN}/m` };
      const cases: Array<[string, Record<string, string>, number, string]> = [
        ['00000000-0000-4000-8000-000000000000', base, 404, 'TENANT_NOT_FOUND'],
        ['not-a-uuid', base, 404, 'TENANT_NOT_FOUND'],
        [pending.id, base, 409, 'TENANT_NOT_ACTIVE'],
        [noWeb.id, base, 403, 'PERMISSION_SET_MISSING'],
        [t.id, { ...base, scope: 'snsapi_login' }, 400, 'VALIDATION_FAILED'],
        [t.id, { returnUrl: base.returnUrl }, 400, 'VALIDATION_FAILED'],
        [t.id, { ...base, state: 'x'.repeat(129) }, 400, 'VALIDATION_FAILED'],
        [t.id, { ...base, state: '状'.repeat(43) }, 400, 'VALIDATION_FAILED'], // 129 bytes in UTF-8
        [t.id, { ...base, returnUrl: 'javascript:alert(1)' }, 400, 'VALIDATION_FAILED'],
        [t.id, { ...base, returnUrl: 'https://user:pw@h5.merchant.example/m' }, 400, 'VALIDATION_FAILED'],
        [t.id, { ...base, returnUrl: 'https://h5.merchant.example\\@evil.example/' }, 400, 'VALIDATION_FAILED'],
        [t.id, { ...base, returnUrl: 'https://evil.example/m' }, 400, 'RETURN_URL_NOT_ALLOWED'],
      ];
      for (const [tenantId, q, status, code] of cases) {
        const page = await open(authorizeUrl(h, tenantId, q));
        expect({ tenantId, q, status: page.status }).toEqual({ tenantId, q, status });
        expect(page.headers.get('content-type')).toMatch(/^text\/html/);
        expect(page.headers.get('content-language')).toBe('zh-CN');
        expect(page.body).toContain(`data-code="${code}"`);
        const json = await open(authorizeUrl(h, tenantId, q), { json: true });
        expect(json.status).toBe(status);
        expect(JSON.parse(json.body).error.code).toBe(code);
      }
      const english = await open(authorizeUrl(h, pending.id, base), { lang: 'en-US,en;q=0.9' });
      expect(english.headers.get('content-language')).toBe('en');
    });

    it('an empty origin list refuses every returnUrl', async () => {
      const closed = await onboardTenant(h, { permissionSets: [4], followers: ['o_y'] });
      const res = await open(authorizeUrl(h, closed.id, { scope: 'snsapi_base', returnUrl: `${H5_ORIGIN}/m` }), { json: true });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).error.code).toBe('RETURN_URL_NOT_ALLOWED');
    });
  });

  describe('callback and redemption', () => {
    it('snsapi_base: 302 to returnUrl with wtg_ticket and the caller’s state; the ticket redeems once for the openid', async () => {
      const since = h.sim.calls().length;
      const back = await runFlow(h, t.id, 'o_fan_2', {
        scope: 'snsapi_base',
        state: 'cart=42&x',
        returnUrl: `${H5_ORIGIN}/m?keep=1`,
      });
      expect(back.get('keep')).toBe('1');
      expect(back.get('state')).toBe('cart=42&x');
      const ticket = back.get('wtg_ticket')!;
      expect(ticket).toMatch(/^wor_[A-Za-z0-9_-]{22,}$/);
      // The exchange used the component token, once.
      const calls = exchangeCalls(h, since);
      expect(calls).toHaveLength(1);
      expect(Object.keys(calls[0].query)).toEqual(['appid', 'code', 'grant_type', 'component_appid', 'component_access_token']);

      const res = await redeem(h, t.id, ticket, t.apiKey).expect(200);
      expect(res.body).toEqual({ appId: t.appId, openid: 'o_fan_2', scope: 'snsapi_base' });
      const again = await redeem(h, t.id, ticket).expect(410);
      expect(again.body.error.code).toBe('WEB_OAUTH_TICKET_INVALID');
      // The redemption ticket and the code never reach the logs (the demo page's URL carries the ticket).
      await open(`${h.url}/sandbox/web-oauth-demo/${t.id}?wtg_ticket=${ticket}`);
      expect(h.logs.text()).not.toContain(ticket);
      expect(h.logs.text()).not.toMatch(/callback\?code=[^[]/);
    });

    it('snsapi_userinfo: the redemption carries the profile as WeChat gave it', async () => {
      const back = await runFlow(h, t.id, 'o_fan_1', { scope: 'snsapi_userinfo' });
      expect(back.has('state')).toBe(false);
      const res = await redeem(h, t.id, back.get('wtg_ticket')!).expect(200);
      expect(res.body).toMatchObject({ appId: t.appId, openid: 'o_fan_1', scope: 'snsapi_userinfo' });
      expect(res.body.user).toEqual({
        nickname: expect.any(String),
        sex: expect.any(Number),
        province: expect.any(String),
        city: expect.any(String),
        country: '中国',
        headimgurl: expect.stringMatching(/^https:\/\//),
        privilege: [],
      });
      expect(h.sim.calls({ api: 'sns/userinfo' }).length).toBeGreaterThan(0);
    });

    it('another tenant’s ticket, an expired one and a token key: refused, and a failed attempt consumes nothing', async () => {
      const other = await onboardTenant(h, { permissionSets: [4], followers: ['o_z'] });
      const back = await runFlow(h, t.id, 'o_fan_1', { scope: 'snsapi_base' });
      const ticket = back.get('wtg_ticket')!;
      expect((await redeem(h, other.id, ticket).expect(410)).body.error.code).toBe('WEB_OAUTH_TICKET_INVALID');
      expect((await redeem(h, other.id, ticket, other.apiKey).expect(410)).body.error.code).toBe('WEB_OAUTH_TICKET_INVALID');
      const tokenKey = await createTokenKey(h, t.id);
      await redeem(h, t.id, ticket, tokenKey).expect(403);
      await redeem(h, t.id, 'wor_nonsense').expect(410);
      await redeem(h, t.id, ticket).expect(200);

      const late = (await runFlow(h, t.id, 'o_fan_1', { scope: 'snsapi_base' })).get('wtg_ticket')!;
      await sql(
        h,
        `UPDATE web_oauth_tickets SET expires_at = now() - interval '1 second' WHERE tenant_id = $1 AND used_at IS NULL`,
        [t.id],
      );
      expect((await redeem(h, t.id, late).expect(410)).body.error.code).toBe('WEB_OAUTH_TICKET_INVALID');
    });

    it('a component token WeChat rejects at the exchange is refreshed once and the exchange retried', async () => {
      const start = await open(authorizeUrl(h, t.id, { scope: 'snsapi_base', returnUrl: `${H5_ORIGIN}/m` }));
      const callback = await decideAtWeChat(start.location!, 'o_fan_1');
      const since = h.sim.calls().length;
      h.sim.expireTokens({ kind: 'component' });
      const back = await open(callback);
      expect(back.status).toBe(302);
      expect(new URL(back.location!).searchParams.get('wtg_ticket')).toMatch(/^wor_/);
      expect(exchangeCalls(h, since).map((c) => c.errcode)).toEqual([42001, 0]);
      expect(h.sim.calls({ api: 'component/api_component_token', since })).toHaveLength(1);
    });

    it('a refusal comes back as error=access_denied with the caller’s state, and no WeChat call', async () => {
      const since = h.sim.calls().length;
      const back = await runFlow(h, t.id, 'o_fan_1', { scope: 'snsapi_userinfo', state: 's1' }, 'refuse');
      expect(Object.fromEntries(back)).toEqual({ error: 'access_denied', state: 's1' });
      expect(exchangeCalls(h, since)).toHaveLength(0);
    });

    it('the state is single use and lives 10 minutes; unknown, used or expired → 400 page', async () => {
      const start = await open(authorizeUrl(h, t.id, { scope: 'snsapi_base', returnUrl: `${H5_ORIGIN}/m` }));
      const callback = await decideAtWeChat(start.location!, 'o_fan_1');
      expect((await open(callback)).status).toBe(302);
      const replay = await open(callback);
      expect(replay.status).toBe(400);
      expect(replay.body).toContain('data-code="WEB_OAUTH_STATE_INVALID"');
      expect((await open(`${h.url}/web-oauth/callback?code=x&state=nonsense&appid=${t.appId}`)).status).toBe(400);
      expect((await open(`${h.url}/web-oauth/callback`)).status).toBe(400);

      const old = await open(authorizeUrl(h, t.id, { scope: 'snsapi_base', returnUrl: `${H5_ORIGIN}/m` }));
      const oldCallback = await decideAtWeChat(old.location!, 'o_fan_1');
      await sql(h, `UPDATE web_oauth_states SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`);
      const expired = await open(oldCallback, { json: true });
      expect(expired.status).toBe(400);
      expect(JSON.parse(expired.body).error.code).toBe('WEB_OAUTH_STATE_INVALID');
    });

    it('an appid other than the tenant’s → 400 with no WeChat call; a used code (40163) → 400 WEB_OAUTH_CODE_INVALID', async () => {
      const start = await open(authorizeUrl(h, t.id, { scope: 'snsapi_base', returnUrl: `${H5_ORIGIN}/m` }));
      const callback = new URL(await decideAtWeChat(start.location!, 'o_fan_1'));
      const code = callback.searchParams.get('code')!;
      callback.searchParams.set('appid', 'wx_someone_else');
      const since = h.sim.calls().length;
      const mismatch = await open(callback.href, { json: true });
      expect(mismatch.status).toBe(400);
      expect(JSON.parse(mismatch.body).error.code).toBe('WEB_OAUTH_APPID_MISMATCH');
      expect(exchangeCalls(h, since)).toHaveLength(0);

      // The code itself is unused: spend it through the direct exchange, then present it on a fresh flow.
      await request(h.url).post(`/v1/tenants/${t.id}/web-oauth/exchanges`).set(bearer(h.operatorKey)).send({ code }).expect(200);
      const next = await open(authorizeUrl(h, t.id, { scope: 'snsapi_base', returnUrl: `${H5_ORIGIN}/m` }));
      const state = new URL(next.location!).searchParams.get('state')!;
      const used = await open(`${h.url}/web-oauth/callback?code=${encodeURIComponent(code)}&state=${state}&appid=${t.appId}`);
      expect(used.status).toBe(400);
      expect(used.body).toContain('data-code="WEB_OAUTH_CODE_INVALID"');
    });
  });

  describe('direct exchange', () => {
    it('operator or the tenant’s key: the same body as a redemption; 40029/40163 → 400 WEB_OAUTH_CODE_INVALID; audited without the openid', async () => {
      const start = await open(authorizeUrl(h, t.id, { scope: 'snsapi_userinfo', returnUrl: `${H5_ORIGIN}/m` }));
      const code = new URL(await decideAtWeChat(start.location!, 'o_fan_2')).searchParams.get('code')!;
      const tokenKey = await createTokenKey(h, t.id);
      await request(h.url).post(`/v1/tenants/${t.id}/web-oauth/exchanges`).set(bearer(tokenKey)).send({ code }).expect(403);
      const res = await request(h.url)
        .post(`/v1/tenants/${t.id}/web-oauth/exchanges`)
        .set(bearer(t.apiKey))
        .send({ code, scope: 'snsapi_userinfo' })
        .expect(200);
      expect(res.body).toMatchObject({ appId: t.appId, openid: 'o_fan_2', scope: 'snsapi_userinfo', user: { country: '中国' } });
      for (const bad of [code, 'never-issued']) {
        const again = await request(h.url)
          .post(`/v1/tenants/${t.id}/web-oauth/exchanges`)
          .set(bearer(t.apiKey))
          .send({ code: bad });
        expect(again.status).toBe(400);
        expect(again.body.error.code).toBe('WEB_OAUTH_CODE_INVALID');
      }
      await request(h.url).post(`/v1/tenants/${t.id}/web-oauth/exchanges`).set(bearer(t.apiKey)).send({}).expect(400);

      const audit = await request(h.url).get(`/v1/tenants/${t.id}/audit-events`).set(bearer(h.operatorKey)).expect(200);
      const exchanges = audit.body.items.filter((e: { action: string }) => e.action === 'web_oauth.exchange');
      expect(exchanges.length).toBeGreaterThan(0);
      expect(JSON.stringify(audit.body)).not.toContain('o_fan_2');
      // Neither the follower's tokens nor the code reach the logs.
      expect(h.logs.text()).not.toContain(code);
    });
  });

  it('production mode: https only for origins and returnUrl, and no sandbox demo page', async () => {
    const prod = await startHarness({
      databaseUrl: h.databaseUrl,
      simulator: h.sim,
      config: (c) => ({ ...c, mode: 'production', operatorApiKeys: [h.operatorKey], secretsKey: h.config.secretsKey }),
    });
    try {
      const res = await request(prod.url)
        .patch(`/v1/tenants/${t.id}`)
        .set(bearer(h.operatorKey))
        .send({ webOAuthOrigins: ['http://h5.merchant.example'] })
        .expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      const plain = await open(authorizeUrl(prod, t.id, { scope: 'snsapi_base', returnUrl: 'http://h5.merchant.example/m' }), {
        json: true,
      });
      expect(plain.status).toBe(400);
      expect(JSON.parse(plain.body).error.code).toBe('VALIDATION_FAILED');
      expect((await open(`${prod.url}/sandbox/web-oauth-demo/${t.id}`)).status).toBe(404);
      expect((await open(`${h.url}/sandbox/web-oauth-demo/${t.id}`)).status).toBe(200);
    } finally {
      await prod.close();
    }
  });

  it('the hourly web-oauth-sweep removes states and tickets that lapsed a day ago', async () => {
    const schedules = await sql<{ cron: string }>(h, `SELECT cron FROM pgboss.schedule WHERE name = 'web-oauth-sweep'`);
    expect(schedules).toEqual([{ cron: '19 * * * *' }]);
    await open(authorizeUrl(h, t.id, { scope: 'snsapi_base', returnUrl: `${H5_ORIGIN}/m` }));
    await sql(h, `UPDATE web_oauth_states SET expires_at = now() - interval '2 days' WHERE tenant_id = $1`, [t.id]);
    await sql(h, `UPDATE web_oauth_tickets SET expires_at = now() - interval '2 days' WHERE tenant_id = $1`, [t.id]);
    await h.app.get(WebOAuthSweep).run();
    expect(await sql(h, `SELECT 1 FROM web_oauth_states WHERE tenant_id = $1`, [t.id])).toHaveLength(0);
    expect(await sql(h, `SELECT 1 FROM web_oauth_tickets WHERE tenant_id = $1`, [t.id])).toHaveLength(0);
  });

  it('61003 at the exchange: the tenant is marked revoked, as for an unauthorized push (409 page)', async () => {
    const gone = await onboardTenant(h, { permissionSets: [4], followers: ['o_g'] });
    await allowOrigins(h, gone.id);
    const start = await open(authorizeUrl(h, gone.id, { scope: 'snsapi_base', returnUrl: `${H5_ORIGIN}/m` }));
    const callback = await decideAtWeChat(start.location!, 'o_g');
    await h.sim.revoke(gone.appId, { push: 'none' });
    const res = await open(callback);
    expect(res.status).toBe(409);
    expect(res.body).toContain('data-code="TENANT_NOT_ACTIVE"');
    const view = await request(h.url).get(`/v1/tenants/${gone.id}`).set(bearer(h.operatorKey)).expect(200);
    expect(view.body.status).toBe('revoked');
  });
});
