import { WeChatRequestError, WeChatTransportError } from '../errors/api-errors';
import { WeChatHttp } from '../http/wechat-http';
import { json, LocalHttpServer } from '../testing/local-http-server';
import { WebOAuthApi } from './web-oauth-api';

const CAT = 'COMPONENT_ACCESS_TOKEN_secret_42';

describe('WebOAuthApi', () => {
  let server: LocalHttpServer;
  let http: WeChatHttp;
  let api: WebOAuthApi;

  beforeEach(async () => {
    server = await LocalHttpServer.start();
    http = new WeChatHttp({ baseUrl: server.baseUrl, sleep: async () => undefined });
    api = new WebOAuthApi(http);
  });
  afterEach(async () => {
    http.close();
    await server.close();
  });

  it('exchanges a code with the component token, parameters in the documented order', async () => {
    const reply = { access_token: 'UAT', expires_in: 7200, refresh_token: 'URT', openid: 'o1', scope: 'snsapi_base' };
    server.respond(json(reply));
    await expect(api.componentAccessToken(CAT, { appId: 'wxa', code: 'CODE', componentAppId: 'wxc' })).resolves.toEqual(reply);
    const sent = server.requests[0];
    expect(sent).toMatchObject({ method: 'GET', path: '/sns/oauth2/component/access_token' });
    expect(Object.keys(sent.query)).toEqual(['appid', 'code', 'grant_type', 'component_appid', 'component_access_token']);
    expect(sent.query).toEqual({
      appid: 'wxa',
      code: 'CODE',
      grant_type: 'authorization_code',
      component_appid: 'wxc',
      component_access_token: CAT,
    });
  });

  it('never resends the exchange (a code is single use), and maps 40029/40163 to oauth-code-rejected', async () => {
    server.respond(json({ errcode: -1, errmsg: 'busy' }));
    await expect(api.componentAccessToken(CAT, { appId: 'wxa', code: 'C', componentAppId: 'wxc' })).rejects.toMatchObject({
      kind: 'retryable',
    });
    expect(server.requests).toHaveLength(1);
    server.respond(json({ errcode: 40029, errmsg: 'invalid code' }), json({ errcode: 40163, errmsg: 'code been used' }));
    for (let i = 0; i < 2; i++) {
      await expect(api.componentAccessToken(CAT, { appId: 'wxa', code: 'C', componentAppId: 'wxc' })).rejects.toMatchObject({
        kind: 'oauth-code-rejected',
      });
    }
    server.respond(json({ message: 'boom' }, 502));
    await expect(api.componentAccessToken(CAT, { appId: 'wxa', code: 'C', componentAppId: 'wxc' })).rejects.toBeInstanceOf(
      WeChatTransportError,
    );
    expect(server.requests).toHaveLength(4);
  });

  it('reads sns/userinfo with the user token and lang=zh_CN; never echoes the token in errors', async () => {
    server.respond(json({ errcode: 40001, errmsg: 'invalid credential USER_TOKEN_abcdef' }));
    const err = (await api.userInfo('USER_TOKEN_abcdef', 'o1').catch((e: unknown) => e)) as Error;
    expect(err.message).not.toContain('USER_TOKEN_abcdef');
    expect(server.requests[0]).toMatchObject({
      method: 'GET',
      path: '/sns/userinfo',
      query: { access_token: 'USER_TOKEN_abcdef', openid: 'o1', lang: 'zh_CN' },
    });
  });

  it('refreshes with refresh_token, and refuses empty fields before sending', async () => {
    server.respond(json({ access_token: 'U2', expires_in: 7200, refresh_token: 'R', openid: 'o1', scope: 'snsapi_base' }));
    await api.componentRefreshToken(CAT, { appId: 'wxa', componentAppId: 'wxc', refreshToken: 'R' });
    expect(server.requests[0].path).toBe('/sns/oauth2/component/refresh_token');
    expect(Object.keys(server.requests[0].query)).toEqual([
      'appid',
      'grant_type',
      'component_appid',
      'component_access_token',
      'refresh_token',
    ]);
    expect(() => api.componentAccessToken('', { appId: 'wxa', code: 'C', componentAppId: 'wxc' })).toThrow(WeChatRequestError);
  });
});
