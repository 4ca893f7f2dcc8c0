import { SecretCipher } from '@app/common';
import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import {
  authorizeThroughPage,
  bearer,
  createTenant,
  eventually,
  fetchPage,
  linkHref,
  onboardTenant,
  settlePushes,
  sql,
  startSession,
  tenantView,
} from './support/onboarding';
import { tokensAtRest } from './support/sealed-tokens';

describe('onboarding: sessions, page, callback and authorization pushes (simulator over HTTP)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.sim.pushTicket();
  });
  afterAll(() => h.close());

  describe('POST /v1/tenants/:tenantId/authorization-sessions', () => {
    it('201 with id, an onboarding URL under PUBLIC_BASE_URL and a 24 h expiry', async () => {
      const t = await createTenant(h);
      const before = Date.now();
      const res = await request(h.url)
        .post(`/v1/tenants/${t.id}/authorization-sessions`)
        .set(bearer(h.operatorKey))
        .send({})
        .expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        onboardingUrl: expect.any(String),
        expiresAt: expect.any(String),
      });
      expect(res.body.onboardingUrl.startsWith(`${h.config.publicBaseUrl}/`)).toBe(true);
      const ttl = Date.parse(res.body.expiresAt) - before;
      expect(ttl).toBeGreaterThan(24 * 3600_000 - 60_000);
      expect(ttl).toBeLessThan(24 * 3600_000 + 60_000);
      // Only a hash of the URL token is stored.
      const token = res.body.onboardingUrl.split('/').pop();
      const rows = await sql(h, `SELECT * FROM authorization_sessions WHERE id = $1`, [res.body.id]);
      expect(JSON.stringify(rows)).not.toContain(token);
    });

    it("accepts the tenant's own key; another tenant's key → 404, no key → 401, unknown tenant → 404", async () => {
      const a = await createTenant(h, 'A');
      const b = await createTenant(h, 'B');
      await request(h.url)
        .post(`/v1/tenants/${a.id}/authorization-sessions`)
        .set(bearer(a.apiKey))
        .send({ authType: 3 })
        .expect(201);
      const other = await request(h.url)
        .post(`/v1/tenants/${b.id}/authorization-sessions`)
        .set(bearer(a.apiKey))
        .send({})
        .expect(404);
      expect(other.body.error.code).toBe('TENANT_NOT_FOUND');
      expect((await request(h.url).post(`/v1/tenants/${a.id}/authorization-sessions`).send({}).expect(401)).body.error.code).toBe(
        'UNAUTHENTICATED',
      );
      const unknown = await request(h.url)
        .post('/v1/tenants/00000000-0000-4000-8000-000000000000/authorization-sessions')
        .set(bearer(h.operatorKey))
        .send({})
        .expect(404);
      expect(unknown.body.error.code).toBe('TENANT_NOT_FOUND');
    });

    it.each([
      [{ authType: 4 }],
      [{ authType: '1' }],
      [{ returnUrl: 'ftp://example.com/x' }],
      [{ returnUrl: 'not a url' }],
      [{ other: 1 }],
    ])('invalid body %j → 400 VALIDATION_FAILED', async (body) => {
      const t = await createTenant(h);
      const res = await request(h.url)
        .post(`/v1/tenants/${t.id}/authorization-sessions`)
        .set(bearer(h.operatorKey))
        .send(body)
        .expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('GET onboardingUrl', () => {
    it('links (not redirects) to both WeChat authorization pages with the exact parameters', async () => {
      const t = await createTenant(h);
      const s = await startSession(h, t.id, { authType: 3 });
      const page = await fetchPage(s.onboardingUrl);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      const redirectUri = `${h.config.publicBaseUrl}/wechat/authorization/callback?session=${s.id}`;

      const pc = new URL(linkHref(page.html, 'authorize-pc'));
      expect(`${pc.origin}${pc.pathname}`).toBe(`${h.config.wechat.mpBaseUrl}/cgi-bin/componentloginpage`);
      expect(pc.searchParams.get('component_appid')).toBe(h.config.wechat.componentAppId);
      expect(pc.searchParams.get('pre_auth_code')).toMatch(/\S+/);
      expect(pc.searchParams.get('redirect_uri')).toBe(redirectUri);
      expect(pc.searchParams.get('auth_type')).toBe('3');

      const mobileHref = linkHref(page.html, 'authorize-mobile');
      expect(mobileHref.endsWith('#wechat_redirect')).toBe(true);
      const mobile = new URL(mobileHref);
      expect(`${mobile.origin}${mobile.pathname}`).toBe(`${h.config.wechat.openBaseUrl}/wxaopen/safe/bindcomponent`);
      expect(mobile.searchParams.get('action')).toBe('bindcomponent');
      expect(mobile.searchParams.get('no_scan')).toBe('1');
      expect(mobile.searchParams.get('component_appid')).toBe(h.config.wechat.componentAppId);
      expect(mobile.searchParams.get('pre_auth_code')).toBe(pc.searchParams.get('pre_auth_code'));
      expect(mobile.searchParams.get('redirect_uri')).toBe(redirectUri);
      expect(mobile.searchParams.get('auth_type')).toBe('3');
    });

    it('reuses the session’s pre-auth code across reloads, and mints a fresh one once an authorization came back', async () => {
      const t = await createTenant(h);
      const s = await startSession(h, t.id);
      const since = h.sim.calls().at(-1)?.seq ?? 0;
      const code = async () =>
        new URL(linkHref((await fetchPage(s.onboardingUrl)).html, 'authorize-pc')).searchParams.get('pre_auth_code');
      const codes = [await code(), await code(), await code()];
      expect(new Set(codes).size).toBe(1);
      expect(h.sim.calls({ api: 'component/api_create_preauthcode', since })).toHaveLength(1);
      // WeChat sent the browser back (here with a code it rejects): that pre-auth code is spent.
      await fetchPage(`${h.url}/wechat/authorization/callback?session=${s.id}&auth_code=spent-${Date.now()}`);
      expect(await code()).not.toBe(codes[0]);
      expect(h.sim.calls({ api: 'component/api_create_preauthcode', since })).toHaveLength(2);
    });

    it('an unknown token → 404 page; an expired or completed session → 410 page, without calling WeChat', async () => {
      expect((await fetchPage(`${h.url}/onboarding/${'x'.repeat(43)}`)).status).toBe(404);
      const t = await createTenant(h);
      const expired = await startSession(h, t.id);
      await sql(h, `UPDATE authorization_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.id]);
      const since = h.sim.calls().at(-1)?.seq ?? 0;
      const gone = await fetchPage(expired.onboardingUrl, 'en');
      expect(gone.status).toBe(410);
      expect(gone.html).toContain('expired');
      expect(gone.html).not.toContain('authorize-pc');

      const s2 = await startSession(h, t.id);
      await sql(h, `UPDATE authorization_sessions SET completed_at = now() WHERE id = $1`, [s2.id]);
      expect((await fetchPage(s2.onboardingUrl)).status).toBe(410);
      expect(h.sim.calls({ api: 'component/api_create_preauthcode', since })).toHaveLength(0);
      // A client that asks for JSON gets the usual error JSON.
      const json = await request(h.url).get(new URL(s2.onboardingUrl).pathname).set('Accept', 'application/json').expect(410);
      expect(json.body.error.code).toBe('AUTHORIZATION_SESSION_GONE');
    });

    it('a session completed by onboarding answers 410 on its link afterwards', async () => {
      const t = await createTenant(h);
      const s = await startSession(h, t.id);
      await authorizeThroughPage(h, s.onboardingUrl, { push: 'none' });
      expect((await fetchPage(s.onboardingUrl)).status).toBe(410);
    });
  });

  describe('GET /wechat/authorization/callback', () => {
    it('push before the callback: the push alone activates the tenant; the callback then shows the same result; one exchange', async () => {
      const t = await createTenant(h);
      const s = await startSession(h, t.id);
      h.sim.setNextAuthorization({ push: 'before', nickName: 'Early Bird Tea' });
      const page = await fetchPage(s.onboardingUrl);
      const atWeChat = await fetch(linkHref(page.html, 'authorize-pc'), { redirect: 'manual' });
      expect(atWeChat.status).toBe(302);
      // The push was answered before WeChat redirected: the tenant is active already.
      const early = await tenantView(h, t.id);
      expect(early.status).toBe('active');
      const appId = early.authorizer.appId;
      const cb = await fetch(atWeChat.headers.get('location')!, { redirect: 'manual' });
      expect(cb.status).toBe(200);
      expect(await cb.text()).toContain('Early Bird Tea');
      expect(h.sim.calls({ api: 'component/api_query_auth', appId })).toHaveLength(1);
      expect(await tenantView(h, t.id)).toEqual(early);
    });

    it('push after the callback: the callback activates the tenant; the later push changes nothing and exchanges nothing', async () => {
      const t = await createTenant(h);
      const s = await startSession(h, t.id);
      const cb = await authorizeThroughPage(h, s.onboardingUrl, { push: 'hold', nickName: 'Late Push Noodles' });
      expect(cb.status).toBe(200);
      const afterCallback = await tenantView(h, t.id);
      expect(afterCallback.status).toBe('active');
      const released = await h.sim.releaseHeldPushes();
      expect(released.length).toBeGreaterThan(0);
      expect(released.every((p) => p.acknowledged)).toBe(true);
      expect(await tenantView(h, t.id)).toEqual(afterCallback);
      expect(h.sim.calls({ api: 'component/api_query_auth', appId: cb.appId })).toHaveLength(1);
    });

    it('push and callback at the same moment: one exchange, same end state', async () => {
      for (let round = 0; round < 3; round++) {
        const t = await createTenant(h, `Race ${round}`);
        const s = await startSession(h, t.id);
        h.sim.setNextAuthorization({ push: 'hold' });
        const page = await fetchPage(s.onboardingUrl);
        const atWeChat = await fetch(linkHref(page.html, 'authorize-pc'), { redirect: 'manual' });
        const [released, cb] = await Promise.all([
          h.sim.releaseHeldPushes(),
          fetch(atWeChat.headers.get('location')!, { redirect: 'manual' }),
        ]);
        expect(cb.status).toBe(200);
        expect(released.every((p) => p.acknowledged)).toBe(true);
        const view = await tenantView(h, t.id);
        expect(view.status).toBe('active');
        expect(h.sim.calls({ api: 'component/api_query_auth', appId: view.authorizer.appId })).toHaveLength(1);
      }
    });

    it('the success page names the account and says blacklist management is available; Tenant shows authorizer and capabilities', async () => {
      const t = await createTenant(h);
      const s = await startSession(h, t.id);
      const cb = await authorizeThroughPage(h, s.onboardingUrl, {
        push: 'after',
        nickName: 'Harbour Bakery',
        permissionSets: [1, 2, 15],
        acceptLanguage: 'en',
      });
      await settlePushes(h);
      expect(cb.status).toBe(200);
      expect(cb.html).toContain('Harbour Bakery');
      expect(cb.html).toContain('Blacklist management is available');
      const view = await tenantView(h, t.id);
      expect(view).toEqual({
        id: t.id,
        name: 'Merchant',
        externalId: null,
        status: 'active',
        authorizer: {
          appId: cb.appId,
          nickName: 'Harbour Bakery',
          principalName: expect.any(String),
          serviceType: 2,
          verified: true,
          permissionSets: [1, 2, 15],
          authorizedAt: expect.any(String),
          updatedAt: expect.any(String),
        },
        capabilities: { blacklist: true },
        webOAuthOrigins: [],
        createdAt: expect.any(String),
      });
      // The tenant's own key reads the same.
      expect((await request(h.url).get(`/v1/tenants/${t.id}`).set(bearer(t.apiKey)).expect(200)).body).toEqual(view);
    });

    it('set 100 alone also enables the blacklist', async () => {
      const t = await onboardTenant(h, { permissionSets: [1, 100] });
      expect((await tenantView(h, t.id)).capabilities).toEqual({ blacklist: true });
    });

    it('says plainly which permission set is missing when neither 2 nor 100 was granted', async () => {
      const t = await createTenant(h);
      const s = await startSession(h, t.id);
      const cb = await authorizeThroughPage(h, s.onboardingUrl, { permissionSets: [1, 15], acceptLanguage: 'en' });
      expect(cb.status).toBe(200);
      expect(cb.html).toContain('Blacklist management is not available');
      expect(cb.html).toMatch(/data-missing-permission-sets="2,100"/);
      expect(cb.html).toContain('2 (user management)');
      const view = await tenantView(h, t.id);
      expect(view.status).toBe('active');
      expect(view.authorizer.permissionSets).toEqual([1, 15]);
      expect(view.capabilities).toEqual({ blacklist: false });
    });

    it('says so when the account is not verified', async () => {
      const t = await createTenant(h);
      const s = await startSession(h, t.id);
      const cb = await authorizeThroughPage(h, s.onboardingUrl, { verified: false, permissionSets: [2], acceptLanguage: 'en' });
      expect(cb.html).toContain('Blacklist management is not available');
      expect(cb.html).toContain('not verified');
      const view = await tenantView(h, t.id);
      expect(view.authorizer.verified).toBe(false);
      expect(view.capabilities).toEqual({ blacklist: false });
    });

    it('escapes everything it interpolates', async () => {
      const t = await createTenant(h);
      const s = await startSession(h, t.id);
      const evil = '<img src=x onerror="alert(1)">&\'';
      const cb = await authorizeThroughPage(h, s.onboardingUrl, { nickName: evil });
      expect(cb.status).toBe(200);
      expect(cb.html).not.toContain('<img src=x');
      expect(cb.html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;');
    });

    it('with a returnUrl: 302 to it with tenantId and status added (existing query kept)', async () => {
      const t = await createTenant(h);
      const s = await startSession(h, t.id, { returnUrl: 'https://provider.example/done?ref=abc' });
      const cb = await authorizeThroughPage(h, s.onboardingUrl, { push: 'before' });
      expect(cb.status).toBe(302);
      const loc = new URL(cb.location!);
      expect(`${loc.origin}${loc.pathname}`).toBe('https://provider.example/done');
      expect(loc.searchParams.get('ref')).toBe('abc');
      expect(loc.searchParams.get('tenantId')).toBe(t.id);
      expect(loc.searchParams.get('status')).toBe('active');
    });

    it('the same auth code again → the same result, no second exchange', async () => {
      const t = await createTenant(h);
      const s = await startSession(h, t.id, { returnUrl: 'http://localhost:9/back' });
      const first = await authorizeThroughPage(h, s.onboardingUrl, { push: 'after' });
      await settlePushes(h);
      expect(first.status).toBe(302);
      for (let i = 0; i < 2; i++) {
        const again = await fetch(first.callbackUrl, { redirect: 'manual' });
        expect(again.status).toBe(302);
        expect(again.headers.get('location')).toBe(first.location);
      }
      expect(h.sim.calls({ api: 'component/api_query_auth', appId: first.appId })).toHaveLength(1);
    });

    it('an account already bound to another tenant → 409 page AUTHORIZER_ALREADY_BOUND, nothing changed', async () => {
      const a = await onboardTenant(h, { name: 'Owner' });
      const ownerBefore = await tenantView(h, a.id);
      const b = await createTenant(h, 'Intruder');
      const s = await startSession(h, b.id);
      const cb = await authorizeThroughPage(h, s.onboardingUrl, { appId: a.appId, push: 'after' });
      await settlePushes(h);
      expect(cb.status).toBe(409);
      expect(cb.html).toContain('AUTHORIZER_ALREADY_BOUND');
      const bView = await tenantView(h, b.id);
      expect(bView.status).toBe('pending');
      expect(bView.authorizer).toBeNull();
      const ownerAfter = await tenantView(h, a.id);
      expect(ownerAfter.status).toBe('active');
      expect(ownerAfter.authorizer.appId).toBe(a.appId);
      expect(ownerAfter.authorizer.permissionSets).toEqual(ownerBefore.authorizer.permissionSets);
      // Reloading the callback gives the same answer.
      expect((await fetch(cb.callbackUrl, { redirect: 'manual' })).status).toBe(409);
    });

    it('61009/61010 from api_query_auth → a page asking to start again; the session stays usable', async () => {
      for (const errcode of [61009, 61010]) {
        const t = await createTenant(h);
        const s = await startSession(h, t.id);
        h.sim.addFault({ api: 'component/api_query_auth', type: 'errcode', errcode, count: 1 });
        const cb = await authorizeThroughPage(h, s.onboardingUrl, { push: 'none', acceptLanguage: 'en' });
        expect(cb.status).toBe(400);
        expect(cb.html).toContain('start again');
        expect(cb.html).toContain('AUTHORIZATION_CODE_INVALID');
        expect((await tenantView(h, t.id)).status).toBe('pending');
        // The merchant can start again from the same link.
        const retry = await authorizeThroughPage(h, s.onboardingUrl, { push: 'none' });
        expect(retry.status).toBe(200);
        expect((await tenantView(h, t.id)).status).toBe('active');
      }
    });

    it('an unknown session → 404 page; a missing auth_code → 400 page; an expired session with a new code → 410 page', async () => {
      expect(
        (await fetchPage(`${h.url}/wechat/authorization/callback?session=00000000-0000-4000-8000-000000000000&auth_code=x`))
          .status,
      ).toBe(404);
      expect((await fetchPage(`${h.url}/wechat/authorization/callback?session=nope&auth_code=x`)).status).toBe(404);
      const t = await createTenant(h);
      const s = await startSession(h, t.id);
      expect((await fetchPage(`${h.url}/wechat/authorization/callback?session=${s.id}`)).status).toBe(400);
      await sql(h, `UPDATE authorization_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [s.id]);
      const since = h.sim.calls().at(-1)?.seq ?? 0;
      const gone = await fetchPage(
        `${h.url}/wechat/authorization/callback?session=${s.id}&auth_code=queryauthcode@@@abc&expires_in=600`,
      );
      expect(gone.status).toBe(410);
      expect(h.sim.calls({ api: 'component/api_query_auth', since })).toHaveLength(0);
    });
  });

  describe('authorization pushes', () => {
    it('updateauthorized (bound through the account) exchanges the new code and refreshes the permission sets', async () => {
      const t = await onboardTenant(h, { permissionSets: [1, 2] });
      expect((await tenantView(h, t.id)).capabilities.blacklist).toBe(true);
      await h.sim.reauthorize(t.appId, { permissionSets: [1, 15], push: 'now' });
      const view = await eventually(async () => {
        const v = await tenantView(h, t.id);
        expect(v.authorizer.permissionSets).toEqual([1, 15]);
        return v;
      });
      expect(view.status).toBe('active');
      expect(view.capabilities).toEqual({ blacklist: false });
      expect(h.sim.calls({ api: 'component/api_query_auth', appId: t.appId })).toHaveLength(2);
    });

    it('unauthorized → tenant revoked, its tokens wiped, blacklist capability false; re-onboarding restores it', async () => {
      const t = await onboardTenant(h);
      const [stored] = await sql<{ access_token: string | null; refresh_token: string | null }>(
        h,
        `SELECT access_token, refresh_token FROM authorizers WHERE tenant_id = $1`,
        [t.id],
      );
      expect(stored.access_token).toBeTruthy();
      expect(stored.refresh_token).toBeTruthy();
      await h.sim.revoke(t.appId, { push: 'now' });
      const view = await eventually(async () => {
        const v = await tenantView(h, t.id);
        expect(v.status).toBe('revoked');
        return v;
      });
      expect(view.capabilities).toEqual({ blacklist: false });
      const [wiped] = await sql(
        h,
        `SELECT access_token, access_token_expires_at, refresh_token FROM authorizers WHERE tenant_id = $1`,
        [t.id],
      );
      expect(wiped).toEqual({ access_token: null, access_token_expires_at: null, refresh_token: null });

      const s = await startSession(h, t.id);
      const cb = await authorizeThroughPage(h, s.onboardingUrl, { appId: t.appId, push: 'after' });
      await settlePushes(h);
      expect(cb.status).toBe(200);
      const back = await tenantView(h, t.id);
      expect(back.status).toBe('active');
      expect(back.capabilities.blacklist).toBe(true);
    });

    it('an authorization push for no known session or account is acknowledged and changes nothing', async () => {
      const acct = await h.sim.createAuthorizer({ authorize: true, push: 'now' });
      await settlePushes(h);
      const p = h.sim.pushes().filter((x) => x.authorizerAppId === acct.appId);
      expect(p.length).toBe(1);
      expect(p[0].acknowledged).toBe(true);
      expect(h.sim.calls({ api: 'component/api_query_auth', appId: acct.appId })).toHaveLength(0);
    });
  });

  it('deleting a tenant wipes its tokens and frees its account; its links stop working; its rows stay for history', async () => {
    const t = await onboardTenant(h);
    const s = await startSession(h, t.id);
    await request(h.url).delete(`/v1/tenants/${t.id}`).set(bearer(h.operatorKey)).expect(204);
    expect(await sql(h, `SELECT 1 FROM authorizers WHERE tenant_id = $1`, [t.id])).toHaveLength(0);
    expect(await sql(h, `SELECT 1 FROM tenants WHERE id = $1 AND deleted_at IS NOT NULL`, [t.id])).toHaveLength(1);
    expect([404, 410]).toContain((await fetchPage(s.onboardingUrl)).status);
    await request(h.url).post(`/v1/tenants/${t.id}/authorization-sessions`).set(bearer(h.operatorKey)).send({}).expect(404);
    // The Official Account can now onboard for another tenant.
    const other = await createTenant(h, 'Next owner');
    const s2 = await startSession(h, other.id);
    const cb = await authorizeThroughPage(h, s2.onboardingUrl, { appId: t.appId, push: 'after' });
    await settlePushes(h);
    expect(cb.status).toBe(200);
    expect((await tenantView(h, other.id)).authorizer.appId).toBe(t.appId);
  });

  it('never writes a token, ticket, secret or auth code to the logs', async () => {
    const t = await onboardTenant(h, { push: 'after' });
    const rows = await sql<{ code_hash: string }>(h, `SELECT code_hash FROM authorization_code_exchanges WHERE tenant_id = $1`, [
      t.id,
    ]);
    expect(rows).toHaveLength(1);
    const logs = h.logs.text();
    expect(logs).not.toContain(t.apiKey);
    expect(logs).not.toContain(h.config.wechat.componentAppSecret);
    expect(logs).not.toContain(h.operatorKey);
    expect(logs).not.toMatch(/queryauthcode@@@/);
    expect(logs).not.toMatch(/preauthcode@@@/);
    expect(logs).not.toMatch(/ticket@@@/);
    expect(logs).not.toMatch(/refreshtoken@@@/);
    // The stored (encrypted) tokens, decrypted here, appear nowhere in the logs.
    const cipher = new SecretCipher(h.config.secretsKey);
    const secrets = await tokensAtRest(h, cipher);
    expect(secrets.every((v) => v.length > 10)).toBe(true);
    for (const v of secrets) expect(logs).not.toContain(v);
  });
});
