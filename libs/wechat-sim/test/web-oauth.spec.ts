import { COMPONENT, startHarness, type Harness } from './support';

/** Web authorization on behalf of an account and JS-SDK tickets (contract section 9). */
describe('web authorization and getticket', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ webOAuthDomains: ['shop.example'] });
  });
  afterEach(() => h.close());

  const REDIRECT = 'https://shop.example/web-oauth/callback';
  const authorizeQuery = (appId: string, more: Record<string, string> = {}) => ({
    appid: appId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'snsapi_base',
    state: 'nonce123',
    component_appid: COMPONENT.componentAppId,
    ...more,
  });
  const page = async (query: Record<string, string>) => h.http.get('/connect/oauth2/authorize', { params: query });
  const confirm = async (query: Record<string, string>, form: Record<string, string>) =>
    h.http.post('/connect/oauth2/authorize/confirm', new URLSearchParams({ ...query, ...form }).toString(), {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
  const sns = async (path: string, query: Record<string, string>) => (await h.http.get(`/sns/${path}`, { params: query })).data;

  async function codeFor(appId: string, openid: string, scope = 'snsapi_base'): Promise<string> {
    const res = await confirm(authorizeQuery(appId, { scope }), { openid, decision: 'allow' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.location);
    expect(location.origin + location.pathname).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('nonce123');
    expect(location.searchParams.get('appid')).toBe(appId);
    return location.searchParams.get('code')!;
  }

  it('the page lists followers; allowing redirects with code, state and appid; refusing with state only', async () => {
    await h.onboard({ appId: 'wx_web', permissionSets: [4], followers: ['o_w1', 'o_w2'] });
    const shown = await page(authorizeQuery('wx_web'));
    expect(shown.status).toBe(200);
    expect(shown.data).toContain('value="o_w2"');
    expect(shown.data).toContain('id="sim-oauth-allow"');
    await codeFor('wx_web', 'o_w2');
    const refused = await confirm(authorizeQuery('wx_web'), { openid: 'o_w1', decision: 'refuse' });
    expect(refused.status).toBe(302);
    expect(refused.headers.location).toBe(`${REDIRECT}?state=nonce123`);
  });

  it('page errors: 10003 foreign redirect host, 10015 account not authorizing, 10005 userinfo on an unverified account, 10010-10013 empty fields', async () => {
    await h.onboard({ appId: 'wx_web', permissionSets: [4], followers: ['o_w1'] });
    await h.onboard({ appId: 'wx_unverified', permissionSets: [4], verifyType: -1, followers: ['o_u1'] });
    await h.sim.createAuthorizer({ appId: 'wx_never' });
    const errcode = async (query: Record<string, string>) => {
      const res = await page(query);
      expect(res.status).toBe(400);
      return Number(/data-errcode="(\d+)"/.exec(res.data)?.[1]);
    };
    expect(await errcode(authorizeQuery('wx_web', { redirect_uri: 'https://evil.example/cb' }))).toBe(10003);
    expect(await errcode(authorizeQuery('wx_never'))).toBe(10015);
    expect(await errcode(authorizeQuery('wx_unverified', { scope: 'snsapi_userinfo' }))).toBe(10005);
    expect(await errcode(authorizeQuery('wx_web', { scope: '' }))).toBe(10010);
    expect(await errcode(authorizeQuery('wx_web', { redirect_uri: '' }))).toBe(10011);
    expect(await errcode(authorizeQuery('wx_web', { appid: '' }))).toBe(10012);
    expect(await errcode(authorizeQuery('wx_web', { state: '' }))).toBe(10013);
  });

  it('exchange: component token only, code single use within 5 minutes (40029, 40163); userinfo for snsapi_userinfo', async () => {
    const oa = await h.onboard({ appId: 'wx_web', permissionSets: [4], followers: ['o_w1'] });
    const cat = await h.componentToken();
    const exchange = (code: string, token = cat) =>
      sns('oauth2/component/access_token', {
        appid: 'wx_web',
        code,
        grant_type: 'authorization_code',
        component_appid: COMPONENT.componentAppId,
        component_access_token: token,
      });

    const code = await codeFor('wx_web', 'o_w1');
    expect((await exchange(code, oa.accessToken)).errcode).toBe(40001);
    const user = await exchange(code);
    expect(user).toMatchObject({ openid: 'o_w1', scope: 'snsapi_base', expires_in: 7200 });
    expect((await exchange(code)).errcode).toBe(40163);
    expect((await exchange('nonsense')).errcode).toBe(40029);
    expect((await sns('userinfo', { access_token: user.access_token, openid: 'o_w1', lang: 'zh_CN' })).errcode).toBe(48001);

    const late = await codeFor('wx_web', 'o_w1', 'snsapi_userinfo');
    h.clock.advanceSec(301);
    expect((await exchange(late)).errcode).toBe(40029);

    const info = await exchange(await codeFor('wx_web', 'o_w1', 'snsapi_userinfo'));
    const profile = await sns('userinfo', { access_token: info.access_token, openid: 'o_w1', lang: 'zh_CN' });
    expect(profile).toMatchObject({ openid: 'o_w1', country: '中国', privilege: [] });
    expect(profile.nickname).toEqual(expect.any(String));

    const refreshed = await sns('oauth2/component/refresh_token', {
      appid: 'wx_web',
      grant_type: 'refresh_token',
      component_appid: COMPONENT.componentAppId,
      component_access_token: cat,
      refresh_token: info.refresh_token,
    });
    expect(refreshed).toMatchObject({ openid: 'o_w1', scope: 'snsapi_userinfo' });
  });

  it('getticket: jsapi and wx_card with the authorizer token and set 4; per-account daily quota (45009) and faults', async () => {
    const oa = await h.onboard({ appId: 'wx_web', permissionSets: [4], followers: [] });
    const none = await h.onboard({ appId: 'wx_noweb', permissionSets: [2], followers: [] });
    const ticket = async (token: string, type: string) =>
      (await h.http.get('/cgi-bin/ticket/getticket', { params: { access_token: token, type } })).data;
    const jsapi = await ticket(oa.accessToken, 'jsapi');
    expect(jsapi).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
    expect(h.sim.jsTickets('wx_web', 'jsapi')).toEqual([jsapi.ticket]);
    expect((await ticket(oa.accessToken, 'wx_card')).ticket).toEqual(h.sim.jsTickets('wx_web', 'wx_card')[0]);
    expect((await ticket(oa.accessToken, 'card')).errcode).toBe(40097);
    expect((await ticket(none.accessToken, 'jsapi')).errcode).toBe(61007);
    expect((await ticket(await h.componentToken(), 'jsapi')).errcode).toBe(40001);

    // Three calls so far (a bad type still counts: the quota is taken before the arguments are read).
    h.sim.setQuota({ api: 'ticket/getticket', appId: 'wx_web', daily: 4 });
    expect((await ticket(oa.accessToken, 'jsapi')).errcode).toBe(0);
    expect((await ticket(oa.accessToken, 'jsapi')).errcode).toBe(45009);

    h.sim.addFault({ api: 'ticket/getticket', type: 'errcode', errcode: -1, count: 1 });
    expect((await ticket(none.accessToken, 'jsapi')).errcode).toBe(-1);
  });
});
