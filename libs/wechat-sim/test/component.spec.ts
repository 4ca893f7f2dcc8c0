import { COMPONENT, startHarness, type Harness } from './support';

const appid = COMPONENT.componentAppId;

describe('component APIs (contract section 1)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ componentTokenTtlSec: 7200, componentTokenGraceSec: 300 });
  });
  afterEach(() => h.close());

  const tokenRequest = (overrides: Record<string, unknown> = {}) =>
    h.call('component/api_component_token', {
      component_appid: appid,
      component_appsecret: COMPONENT.componentAppSecret,
      component_verify_ticket: h.events.latestTicket(),
      ...overrides,
    });

  describe('component_verify_ticket and api_component_token', () => {
    it('issues a token for a pushed ticket, with the configured expires_in', async () => {
      await h.sim.pushTicket();
      const res = await tokenRequest();
      expect(res).toEqual({ component_access_token: expect.any(String), expires_in: 7200 });
      expect(res.errcode).toBeUndefined();
    });

    it('rejects a missing or unknown ticket with 61006 and an expired one (12 h) with 61005', async () => {
      await h.sim.pushTicket();
      expect((await tokenRequest({ component_verify_ticket: undefined })).errcode).toBe(61006);
      expect((await tokenRequest({ component_verify_ticket: 'ticket@@@forged' })).errcode).toBe(61006);
      h.clock.advanceSec(12 * 3600 - 1);
      expect((await tokenRequest()).component_access_token).toBeDefined();
      h.clock.advanceSec(1);
      expect((await tokenRequest()).errcode).toBe(61005);
    });

    it('has no ticket before the first push', async () => {
      const res = await h.call('component/api_component_token', {
        component_appid: appid,
        component_appsecret: COMPONENT.componentAppSecret,
        component_verify_ticket: '',
      });
      expect(res.errcode).toBe(61006);
      expect(res.errmsg).toMatch(/^component ticket is invalid rid: /);
    });

    it('checks appid (40013) and secret (40125)', async () => {
      await h.sim.pushTicket();
      expect((await tokenRequest({ component_appid: 'wx_other' })).errcode).toBe(40013);
      expect((await tokenRequest({ component_appsecret: 'wrong' })).errcode).toBe(40125);
      expect((await tokenRequest({ component_appsecret: undefined })).errcode).toBe(41004);
    });

    it('keeps the previous token valid for the grace period only (then 40001), and expires tokens (42001)', async () => {
      const first = await h.componentToken();
      const preauth = (t: string) =>
        h.call('component/api_create_preauthcode', { component_appid: appid }, { component_access_token: t });
      expect((await preauth(first)).pre_auth_code).toBeDefined();
      h.clock.advanceSec(1000);
      const second = await h.componentToken();
      h.clock.advanceSec(299);
      expect((await preauth(first)).pre_auth_code).toBeDefined();
      h.clock.advanceSec(1);
      expect((await preauth(first)).errcode).toBe(40001);
      expect((await preauth(second)).pre_auth_code).toBeDefined();
      h.clock.advanceSec(7200 - 300);
      expect((await preauth(second)).errcode).toBe(42001);
    });

    it('api_start_push_ticket validates the secret and pushes a fresh ticket asynchronously', async () => {
      const bad = await h.call('component/api_start_push_ticket', { component_appid: appid, component_secret: 'nope' });
      expect(bad.errcode).toBe(40125);
      const ok = await h.call('component/api_start_push_ticket', {
        component_appid: appid,
        component_secret: COMPONENT.componentAppSecret,
      });
      expect(ok).toEqual({ errcode: 0, errmsg: 'ok' });
      const [push] = await h.events.waitFor('component_verify_ticket');
      expect(push.fields).toEqual({
        AppId: appid,
        CreateTime: String(Math.floor(h.clock.ms / 1000)),
        InfoType: 'component_verify_ticket',
        ComponentVerifyTicket: expect.stringMatching(/^ticket@@@/),
      });
      expect((await tokenRequest()).component_access_token).toBeDefined();
    });
  });

  describe('pre-auth codes, auth codes, authorizer tokens', () => {
    let token: string;
    beforeEach(async () => {
      token = await h.componentToken();
    });
    const q = () => ({ component_access_token: token });

    it('api_create_preauthcode needs the component appid and returns a 600 s code', async () => {
      expect((await h.call('component/api_create_preauthcode', { component_appid: 'wx_x' }, q())).errcode).toBe(40013);
      const res = await h.call('component/api_create_preauthcode', { component_appid: appid }, q());
      expect(res).toEqual({ pre_auth_code: expect.stringMatching(/^preauthcode@@@/), expires_in: 600 });
    });

    it('a pre-auth code works for one authorization only', async () => {
      const { pre_auth_code } = await h.call('component/api_create_preauthcode', { component_appid: appid }, q());
      await h.sim.createAuthorizer({ appId: 'wx_oa_once' });
      h.sim.setNextAuthorization({ appId: 'wx_oa_once' });
      const page = () =>
        h.http.get(h.sim.authorizationPageUrl({ preAuthCode: pre_auth_code, redirectUri: 'https://gw.example/cb' }));
      expect((await page()).status).toBe(302);
      h.sim.setNextAuthorization({ appId: 'wx_oa_once' });
      const again = await page();
      expect(again.status).toBe(400);
      expect(again.data).toContain('pre_auth_code is used');
    });

    it('an expired pre-auth code is refused by the page', async () => {
      const { pre_auth_code } = await h.call('component/api_create_preauthcode', { component_appid: appid }, q());
      h.clock.advanceSec(600);
      const res = await h.http.get(
        h.sim.authorizationPageUrl({ preAuthCode: pre_auth_code, redirectUri: 'https://gw.example/cb' }),
      );
      expect(res.status).toBe(400);
      expect(res.data).toContain('pre_auth_code is expired');
    });

    it('api_query_auth: the code is single use (61009) and expires after 600 s (61010)', async () => {
      const a = await h.sim.createAuthorizer({ appId: 'wx_oa_code', authorize: true });
      const query = (code: string | undefined) =>
        h.call('component/api_query_auth', { component_appid: appid, authorization_code: code }, q());
      const res = await query(a.authCode);
      expect(res.authorization_info).toEqual({
        authorizer_appid: 'wx_oa_code',
        authorizer_access_token: expect.any(String),
        expires_in: 7200,
        authorizer_refresh_token: expect.stringMatching(/^refreshtoken@@@/),
        func_info: [{ funcscope_category: { id: 1 } }, { funcscope_category: { id: 2 } }, { funcscope_category: { id: 15 } }],
      });
      expect((await query(a.authCode)).errcode).toBe(61009);
      expect((await query('queryauthcode@@@made-up')).errcode).toBe(61009);
      expect((await query(undefined)).errcode).toBe(61009);

      const b = await h.sim.reauthorize('wx_oa_code');
      h.clock.advanceSec(600);
      expect((await query(b.authCode)).errcode).toBe(61010);
    });

    it('an auth code from before a re-authorization is void', async () => {
      const a = await h.sim.createAuthorizer({ appId: 'wx_oa_void', authorize: true });
      await h.sim.reauthorize('wx_oa_void');
      const res = await h.call('component/api_query_auth', { component_appid: appid, authorization_code: a.authCode }, q());
      expect(res.errcode).toBe(61009);
    });

    it('api_authorizer_token: a new access token each call, the refresh token stays, old access tokens keep working', async () => {
      const oa = await h.onboard({ appId: 'wx_oa_refresh' });
      const refresh = () =>
        h.call(
          'component/api_authorizer_token',
          { component_appid: appid, authorizer_appid: oa.appId, authorizer_refresh_token: oa.refreshToken },
          q(),
        );
      const r1 = await refresh();
      const r2 = await refresh();
      expect(r1).toEqual({
        authorizer_access_token: expect.any(String),
        expires_in: 7200,
        authorizer_refresh_token: oa.refreshToken,
      });
      expect(r2.authorizer_access_token).not.toBe(r1.authorizer_access_token);
      for (const t of [oa.accessToken, r1.authorizer_access_token, r2.authorizer_access_token]) {
        expect((await h.call('tags/members/getblacklist', {}, { access_token: t })).errcode).toBeUndefined();
      }
    });

    it('re-authorization rotates the refresh token: the old one answers 61023', async () => {
      const oa = await h.onboard({ appId: 'wx_oa_rotate' });
      const re = await h.sim.reauthorize(oa.appId, { permissionSets: [1, 2] });
      expect(re.infoType).toBe('updateauthorized');
      const refresh = (rt: string) =>
        h.call(
          'component/api_authorizer_token',
          { component_appid: appid, authorizer_appid: oa.appId, authorizer_refresh_token: rt },
          q(),
        );
      expect((await refresh(oa.refreshToken)).errcode).toBe(61023);
      const exchanged = await h.call(
        'component/api_query_auth',
        { component_appid: appid, authorization_code: re.authCode },
        q(),
      );
      const newRefresh = exchanged.authorization_info.authorizer_refresh_token;
      expect(newRefresh).not.toBe(oa.refreshToken);
      expect((await refresh(newRefresh)).authorizer_access_token).toBeDefined();
      expect((await refresh('refreshtoken@@@guess')).errcode).toBe(61023);
    });

    it('revocation: refresh answers 61003, the access tokens 40001, info 61003, the list drops it', async () => {
      const oa = await h.onboard({ appId: 'wx_oa_revoked' });
      await h.sim.revoke(oa.appId);
      const refresh = await h.call(
        'component/api_authorizer_token',
        { component_appid: appid, authorizer_appid: oa.appId, authorizer_refresh_token: oa.refreshToken },
        q(),
      );
      expect(refresh.errcode).toBe(61003);
      expect((await h.call('tags/members/getblacklist', {}, { access_token: oa.accessToken })).errcode).toBe(40001);
      const info = await h.call('component/api_get_authorizer_info', { component_appid: appid, authorizer_appid: oa.appId }, q());
      expect(info.errcode).toBe(61003);
      const list = await h.call('component/api_get_authorizer_list', { component_appid: appid, offset: 0, count: 500 }, q());
      expect(list).toEqual({ total_count: 0, list: [] });
    });

    it('api_get_authorizer_info reports the account, its verification and granted sets', async () => {
      const oa = await h.onboard({
        appId: 'wx_oa_info',
        nickName: 'Cafe',
        verified: false,
        serviceType: 0,
        principalName: 'Cafe Ltd',
      });
      const res = await h.call('component/api_get_authorizer_info', { component_appid: appid, authorizer_appid: oa.appId }, q());
      expect(res.authorizer_info).toMatchObject({
        nick_name: 'Cafe',
        head_img: expect.any(String),
        service_type_info: { id: 0 },
        verify_type_info: { id: -1 },
        user_name: expect.stringMatching(/^gh_/),
        principal_name: 'Cafe Ltd',
      });
      expect(res.authorization_info).toEqual({
        authorizer_appid: oa.appId,
        authorizer_refresh_token: oa.refreshToken,
        func_info: [1, 2, 15].map((id) => ({ funcscope_category: { id } })),
      });
      const unknown = await h.call(
        'component/api_get_authorizer_info',
        { component_appid: appid, authorizer_appid: 'wx_nobody' },
        q(),
      );
      expect(unknown.errcode).toBe(40013);
    });

    it('api_get_authorizer_list pages by offset/count and refuses count > 500', async () => {
      for (const id of ['wx_l1', 'wx_l2', 'wx_l3']) {
        await h.sim.createAuthorizer({ appId: id, authorize: true });
        h.clock.advanceSec(1);
      }
      const list = (offset: number, count: number) =>
        h.call('component/api_get_authorizer_list', { component_appid: appid, offset, count }, q());
      const page = await list(1, 2);
      expect(page.total_count).toBe(3);
      expect(page.list.map((e: { authorizer_appid: string }) => e.authorizer_appid)).toEqual(['wx_l2', 'wx_l3']);
      expect(page.list[0]).toEqual({
        authorizer_appid: 'wx_l2',
        refresh_token: expect.stringMatching(/^refreshtoken@@@/),
        auth_time: expect.any(Number),
      });
      expect((await list(0, 501)).errcode).toBe(40097);
    });
  });
});
