import { COMPONENT, startHarness, type Harness } from './support';

const appid = COMPONENT.componentAppId;

/** Reads the form the way a browser would submit it (checked radios/boxes, hidden and text inputs). */
function formFields(html: string): URLSearchParams {
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input ([^>]*)>/g)) {
    const attr = (n: string) => new RegExp(`${n}="([^"]*)"`).exec(m[1])?.[1];
    const name = attr('name');
    const type = attr('type') ?? 'text';
    if (!name) continue;
    if ((type === 'radio' || type === 'checkbox') && !/\bchecked\b/.test(m[1])) continue;
    form.append(
      name,
      (attr('value') ?? '').replace(/&#(\d+);/g, (_, c) => String.fromCharCode(Number(c))),
    );
  }
  for (const m of html.matchAll(/<select name="([^"]+)">([\s\S]*?)<\/select>/g)) {
    form.append(m[1], /<option value="([^"]*)" selected/.exec(m[2])?.[1] ?? '');
  }
  return form;
}

describe('authorization pages and events (contract section 1)', () => {
  let h: Harness;
  let token: string;
  beforeEach(async () => {
    h = await startHarness();
    token = await h.componentToken();
  });
  afterEach(() => h.close());

  const preAuthCode = async () =>
    (await h.call('component/api_create_preauthcode', { component_appid: appid }, { component_access_token: token }))
      .pre_auth_code as string;
  const queryAuth = (code: string) =>
    h.call('component/api_query_auth', { component_appid: appid, authorization_code: code }, { component_access_token: token });

  it('shows a page a person can use, and its confirm redirects with auth_code and pushes an encrypted `authorized` event', async () => {
    const code = await preAuthCode();
    const redirectUri = 'https://gw.example/wechat/callback?tenant=t-1#done';
    const page = await h.http.get(h.sim.authorizationPageUrl({ preAuthCode: code, redirectUri, authType: 1 }));
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.data).toContain('<button id="sim-authorize"');
    for (const set of [1, 2, 15]) expect(page.data).toMatch(new RegExp(`value="${set}" checked`));
    expect(page.data).not.toMatch(/value="3" checked/);

    const form = formFields(page.data);
    expect(form.get('account')).toBe('__new__');
    form.set('nick_name', 'Tea House');
    const action = /<form id="sim-authorize-form" method="post" action="([^"]+)"/.exec(page.data)![1];
    expect(action).toBe(`${h.sim.url}/cgi-bin/componentloginpage/confirm`);
    const confirm = await h.http.post(action, form.toString(), {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    expect(confirm.status).toBe(302);
    const location = new URL(confirm.headers.location);
    expect(`${location.origin}${location.pathname}`).toBe('https://gw.example/wechat/callback');
    expect(location.hash).toBe('#done');
    expect(location.searchParams.get('tenant')).toBe('t-1');
    expect(location.searchParams.get('expires_in')).toBe('600');
    const authCode = location.searchParams.get('auth_code')!;
    expect(authCode).toMatch(/^queryauthcode@@@/);
    // '@' must reach the callback URL-encoded.
    expect(confirm.headers.location).toContain('auth_code=queryauthcode%40%40%40');

    const [push] = await h.events.waitFor('authorized');
    expect(h.events.problems).toEqual([]);
    const account = h.sim.listAuthorizers().find((a) => a.nickName === 'Tea House')!;
    expect(push.fields).toEqual({
      AppId: appid,
      CreateTime: String(Math.floor(h.clock.ms / 1000)),
      InfoType: 'authorized',
      AuthorizerAppid: account.appId,
      AuthorizationCode: authCode,
      AuthorizationCodeExpiredTime: String(Math.floor(h.clock.ms / 1000) + 600),
      PreAuthCode: code,
    });
    expect(push.query).toMatchObject({ encrypt_type: 'aes', timestamp: expect.any(String), nonce: expect.any(String) });

    const exchanged = await queryAuth(authCode);
    expect(exchanged.authorization_info.authorizer_appid).toBe(account.appId);
    expect(h.sim.pushes().at(-1)).toMatchObject({ infoType: 'authorized', state: 'delivered', acknowledged: true });
  });

  it('a new account made on the page gets followers: 100 by default, or the count entered; a bad count is refused', async () => {
    const submit = async (followerCount: string | undefined, nickName: string) => {
      const page = await h.http.get(
        h.sim.authorizationPageUrl({ preAuthCode: await preAuthCode(), redirectUri: 'https://gw.example/cb' }),
      );
      expect(page.data).toContain('name="follower_count" type="number" min="0" max="100000" value="100"');
      const form = formFields(page.data);
      form.set('account', '__new__');
      form.set('nick_name', nickName);
      if (followerCount === undefined) form.delete('follower_count');
      else form.set('follower_count', followerCount);
      return h.http.post(`${h.sim.url}/cgi-bin/componentloginpage/confirm`, form.toString(), {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    };
    const byName = (n: string) => h.sim.listAuthorizers().find((a) => a.nickName === n);
    expect((await submit('100', 'Hundred')).status).toBe(302);
    expect(byName('Hundred')!.followerCount).toBe(100);
    expect((await submit(undefined, 'Default')).status).toBe(302);
    expect(byName('Default')!.followerCount).toBe(100);
    expect((await submit('3', 'Three')).status).toBe(302);
    expect(byName('Three')!.followerCount).toBe(3);
    for (const bad of ['-1', '1.5', 'many', '100001']) {
      const res = await submit(bad, `Bad ${bad}`);
      expect(res.status).toBe(400);
      expect(res.data).toContain('follower_count');
      expect(byName(`Bad ${bad}`)).toBeUndefined();
    }
  });

  it('refuses an unknown component, a bad pre-auth code, a bad redirect_uri or auth_type 2 with a 400 error page', async () => {
    const code = await preAuthCode();
    const base = { component_appid: appid, pre_auth_code: code, redirect_uri: 'https://gw.example/cb', auth_type: '3' };
    const get = (q: Record<string, string>) => h.http.get('/cgi-bin/componentloginpage', { params: { ...base, ...q } });
    const badLinks: Array<Record<string, string>> = [
      { component_appid: 'wx_other' },
      { pre_auth_code: 'preauthcode@@@nope' },
      { redirect_uri: 'not a url' },
      { redirect_uri: 'ftp://x/y' },
      { auth_type: '2' },
      { auth_type: '9' },
    ];
    for (const q of badLinks) {
      const res = await get(q);
      expect(res.status).toBe(400);
      expect(res.data).toContain('id="sim-error"');
    }
    expect((await get({})).status).toBe(200);
  });

  it('the mobile bindcomponent link works the same and requires action=bindcomponent', async () => {
    const code = await preAuthCode();
    h.sim.setNextAuthorization({ appId: 'wx_mobile' });
    const q = {
      component_appid: appid,
      pre_auth_code: code,
      redirect_uri: 'https://gw.example/cb',
      auth_type: '3',
      no_scan: '1',
    };
    expect((await h.http.get('/wxaopen/safe/bindcomponent', { params: { ...q, action: 'other' } })).status).toBe(400);
    const res = await h.http.get('/wxaopen/safe/bindcomponent', { params: { ...q, action: 'bindcomponent' } });
    expect(res.status).toBe(302);
    expect(res.headers.location).toMatch(/^https:\/\/gw\.example\/cb\?auth_code=queryauthcode%40%40%40[^&]+&expires_in=600$/);
  });

  describe('next-authorization (no browser) and push ordering', () => {
    const authorizeVia = async (push: string, extra: Record<string, unknown> = {}) => {
      const code = await preAuthCode();
      const set = await h.http.post('/__sim/next-authorization', { appId: 'wx_pre', nickName: 'Pre', push, ...extra });
      expect(set.status).toBe(200);
      const res = await h.http.get(h.sim.authorizationPageUrl({ preAuthCode: code, redirectUri: 'https://gw.example/cb' }));
      expect(res.status).toBe(302);
      return { res, pushesAtRedirect: h.events.of('authorized').length };
    };

    it("push 'before': the event has been delivered when the redirect arrives", async () => {
      const { pushesAtRedirect } = await authorizeVia('before');
      expect(pushesAtRedirect).toBe(1);
      expect(h.sim.getAuthorizer('wx_pre')).toMatchObject({
        nickName: 'Pre',
        authorization: { status: 'authorized', permissionSets: [1, 2, 15] },
      });
    });

    it("push 'after': the redirect comes first, the event follows", async () => {
      const { res, pushesAtRedirect } = await authorizeVia('after', { pushDelayMs: 150 });
      expect(pushesAtRedirect).toBe(0);
      const [push] = await h.events.waitFor('authorized');
      expect(push.fields.AuthorizationCode).toBe(new URL(res.headers.location).searchParams.get('auth_code'));
    });

    it("push 'hold': nothing until released; 'none': never (recorded as suppressed)", async () => {
      await authorizeVia('hold');
      await new Promise((r) => setTimeout(r, 100));
      expect(h.events.of('authorized')).toHaveLength(0);
      expect(h.sim.pushes().at(-1)).toMatchObject({ infoType: 'authorized', state: 'held' });
      const released = await h.http.post('/__sim/pushes/release');
      expect(released.data).toHaveLength(1);
      expect(h.events.of('authorized')).toHaveLength(1);

      await h.sim.revoke('wx_pre', { push: 'none' });
      await authorizeVia('none');
      await new Promise((r) => setTimeout(r, 100));
      expect(h.events.of('authorized')).toHaveLength(1);
      expect(h.sim.pushes().at(-1)).toMatchObject({ infoType: 'authorized', state: 'suppressed' });
    });

    it('the preselection is used once; the next page load shows the form again', async () => {
      await authorizeVia('none');
      const code = await preAuthCode();
      const res = await h.http.get(h.sim.authorizationPageUrl({ preAuthCode: code, redirectUri: 'https://gw.example/cb' }));
      expect(res.status).toBe(200);
      expect(res.data).toContain('sim-authorize');
    });

    it('a bad link keeps the preselection for the next, valid one', async () => {
      h.sim.setNextAuthorization({ appId: 'wx_keep' });
      const bad = await h.http.get(
        h.sim.authorizationPageUrl({ preAuthCode: 'preauthcode@@@bad', redirectUri: 'https://gw.example/cb' }),
      );
      expect(bad.status).toBe(400);
      const good = await h.http.get(
        h.sim.authorizationPageUrl({ preAuthCode: await preAuthCode(), redirectUri: 'https://gw.example/cb' }),
      );
      expect(good.status).toBe(302);
      expect(h.sim.getAuthorizer('wx_keep').authorization.status).toBe('authorized');
    });

    it('biz_appid restricts who may authorize', async () => {
      h.sim.setNextAuthorization({ appId: 'wx_someone' });
      const code = await preAuthCode();
      const res = await h.http.get(
        h.sim.authorizationPageUrl({ preAuthCode: code, redirectUri: 'https://gw.example/cb', bizAppId: 'wx_expected' }),
      );
      expect(res.status).toBe(400);
      expect(res.data).toContain('only allows wx_expected');
    });
  });

  it('re-authorizing through the page pushes `updateauthorized`, rotates the refresh token, applies the new sets', async () => {
    const first = await h.onboard({ appId: 'wx_again', followers: ['o_1'] });
    const code = await preAuthCode();
    const page = await h.http.get(h.sim.authorizationPageUrl({ preAuthCode: code, redirectUri: 'https://gw.example/cb' }));
    const form = formFields(page.data);
    form.set('account', 'wx_again');
    form.delete('perm');
    form.append('perm', '1');
    form.set('push', 'before');
    const confirm = await h.http.post('/cgi-bin/componentloginpage/confirm', form.toString());
    expect(confirm.status).toBe(302);
    const pushes = h.events.of('updateauthorized');
    expect(pushes).toHaveLength(1);
    expect(pushes[0].fields).toMatchObject({ InfoType: 'updateauthorized', AuthorizerAppid: 'wx_again', PreAuthCode: code });
    const refresh = await h.call(
      'component/api_authorizer_token',
      { component_appid: appid, authorizer_appid: 'wx_again', authorizer_refresh_token: first.refreshToken },
      { component_access_token: token },
    );
    expect(refresh.errcode).toBe(61023);
    const info = (await queryAuth(new URL(confirm.headers.location).searchParams.get('auth_code')!)).authorization_info;
    expect(info.func_info).toEqual([{ funcscope_category: { id: 1 } }]);
    // Set 2 is gone now: the blacklist API is no longer authorized to the component.
    const black = await h.call(
      'tags/members/batchblacklist',
      { openid_list: ['o_1'] },
      { access_token: info.authorizer_access_token },
    );
    expect(black.errcode).toBe(61007);
  });

  it('a confirm replayed with a used pre-auth code is refused', async () => {
    const code = await preAuthCode();
    const page = await h.http.get(h.sim.authorizationPageUrl({ preAuthCode: code, redirectUri: 'https://gw.example/cb' }));
    const form = formFields(page.data).toString();
    expect((await h.http.post('/cgi-bin/componentloginpage/confirm', form)).status).toBe(302);
    const replay = await h.http.post('/cgi-bin/componentloginpage/confirm', form);
    expect(replay.status).toBe(400);
  });

  it('revocation pushes `unauthorized` with only the authorizer appid', async () => {
    await h.onboard({ appId: 'wx_gone' });
    const res = await h.http.post('/__sim/authorizers/wx_gone/revoke', {});
    expect(res.status).toBe(200);
    expect(res.data.push).toMatchObject({ infoType: 'unauthorized', acknowledged: true });
    const [push] = h.events.of('unauthorized');
    expect(push.fields).toEqual({
      AppId: appid,
      CreateTime: String(Math.floor(h.clock.ms / 1000)),
      InfoType: 'unauthorized',
      AuthorizerAppid: 'wx_gone',
    });
    expect((await h.http.post('/__sim/authorizers/wx_gone/revoke', {})).status).toBe(409);
  });

  it('reauthorize over HTTP pushes `updateauthorized` and returns the auth code', async () => {
    await h.onboard({ appId: 'wx_re' });
    const res = await h.http.post('/__sim/authorizers/wx_re/reauthorize', { permissionSets: [2] });
    expect(res.data).toMatchObject({
      appId: 'wx_re',
      infoType: 'updateauthorized',
      authCode: expect.stringMatching(/^queryauthcode@@@/),
      expiresIn: 600,
    });
    expect(h.events.of('updateauthorized')[0].fields.AuthorizationCode).toBe(res.data.authCode);
  });

  it('requires the Referer of the initiation domain when configured', async () => {
    await h.close();
    h = await startHarness({ authInitiationDomains: ['gw.example'] });
    token = await h.componentToken();
    const url = h.sim.authorizationPageUrl({ preAuthCode: await preAuthCode(), redirectUri: 'https://gw.example/cb' });
    expect((await h.http.get(url)).status).toBe(400);
    expect((await h.http.get(url, { headers: { referer: 'https://evil.example/x' } })).status).toBe(400);
    expect((await h.http.get(url, { headers: { referer: 'https://gw.example/onboard' } })).status).toBe(200);
  });

  it('pushTicket rejects when the receiver does not answer exactly `success`', async () => {
    h.events.reply = 'ok';
    await expect(h.sim.pushTicket()).rejects.toThrow(/not acknowledged/);
    expect(h.sim.pushes().at(-1)).toMatchObject({
      infoType: 'component_verify_ticket',
      state: 'delivered',
      acknowledged: false,
      reply: 'ok',
    });
    // The ticket was issued all the same, as WeChat does.
    expect(h.events.latestTicket()).toMatch(/^ticket@@@/);
  });
});
