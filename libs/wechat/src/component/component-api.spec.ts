import { WeChatApiError, WeChatRequestError } from '../errors/api-errors';
import { WeChatHttp } from '../http/wechat-http';
import { json, LocalHttpServer } from '../testing/local-http-server';
import { ComponentApi, permissionSetIds } from './component-api';

const CAT = 'COMPONENT_ACCESS_TOKEN_secret_42';

describe('ComponentApi', () => {
  let server: LocalHttpServer;
  let http: WeChatHttp;
  let api: ComponentApi;

  beforeEach(async () => {
    server = await LocalHttpServer.start();
    http = new WeChatHttp({ baseUrl: server.baseUrl, sleep: async () => undefined });
    api = new ComponentApi(http);
  });
  afterEach(async () => {
    http.close();
    await server.close();
  });

  it('api_component_token: no token in the query, credentials in the body', async () => {
    server.respond(json({ component_access_token: 'cat', expires_in: 7200 }));
    const req = { component_appid: 'wxc', component_appsecret: 'sec', component_verify_ticket: 'ticket@@@' };
    await expect(api.apiComponentToken(req)).resolves.toEqual({ component_access_token: 'cat', expires_in: 7200 });
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      path: '/cgi-bin/component/api_component_token',
      query: {},
      body: req,
    });
  });

  it('api_start_push_ticket: no token in the query, returns errcode 0 and errmsg', async () => {
    server.respond(json({ errcode: 0, errmsg: 'ok' }));
    const req = { component_appid: 'wxc', component_secret: 'sec' };
    await expect(api.apiStartPushTicket(req)).resolves.toEqual({ errcode: 0, errmsg: 'ok' });
    expect(server.requests[0]).toMatchObject({ path: '/cgi-bin/component/api_start_push_ticket', query: {}, body: req });
  });

  const tokenCalls: Array<[string, (a: ComponentApi, token: string) => Promise<unknown>, object, object]> = [
    [
      'api_create_preauthcode',
      (a, token) => a.apiCreatePreauthcode(token, { component_appid: 'wxc' }),
      { component_appid: 'wxc' },
      { pre_auth_code: 'pac', expires_in: 1800 },
    ],
    [
      'api_query_auth',
      (a, token) => a.apiQueryAuth(token, { component_appid: 'wxc', authorization_code: 'code' }),
      { component_appid: 'wxc', authorization_code: 'code' },
      {
        authorization_info: {
          authorizer_appid: 'wxa',
          authorizer_access_token: 'aat',
          expires_in: 7200,
          authorizer_refresh_token: 'art',
          func_info: [{ funcscope_category: { id: 2 } }],
        },
      },
    ],
    [
      'api_authorizer_token',
      (a, token) =>
        a.apiAuthorizerToken(token, { component_appid: 'wxc', authorizer_appid: 'wxa', authorizer_refresh_token: 'art' }),
      { component_appid: 'wxc', authorizer_appid: 'wxa', authorizer_refresh_token: 'art' },
      { authorizer_access_token: 'aat2', expires_in: 7200, authorizer_refresh_token: 'art2' },
    ],
    [
      'api_get_authorizer_info',
      (a, token) => a.apiGetAuthorizerInfo(token, { component_appid: 'wxc', authorizer_appid: 'wxa' }),
      { component_appid: 'wxc', authorizer_appid: 'wxa' },
      {
        authorizer_info: {
          nick_name: 'Shop',
          service_type_info: { id: 2 },
          verify_type_info: { id: 0 },
          user_name: 'gh_1',
          principal_name: 'Shop Ltd',
        },
        authorization_info: { authorizer_appid: 'wxa', func_info: [{ funcscope_category: { id: 100 } }] },
      },
    ],
    [
      'api_get_authorizer_list',
      (a, token) => a.apiGetAuthorizerList(token, { component_appid: 'wxc', offset: 0, count: 500 }),
      { component_appid: 'wxc', offset: 0, count: 500 },
      { total_count: 1, list: [{ authorizer_appid: 'wxa', refresh_token: 'art', auth_time: 1700000000 }] },
    ],
  ];

  it.each(tokenCalls)('%s: path, component_access_token query, body and typed reply', async (name, invoke, body, reply) => {
    server.respond(json(reply));
    await expect(invoke(api, CAT)).resolves.toEqual(reply);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      path: `/cgi-bin/component/${name}`,
      query: { component_access_token: CAT },
      body,
    });
  });

  it.each(tokenCalls)('%s: refuses an empty token without calling WeChat', async (name, invoke) => {
    const err = await invoke(api, '').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeChatRequestError);
    expect(err).toMatchObject({ api: name });
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    [61023, 'revoked'],
    [61009, 'auth-code-rejected'],
    [61005, 'ticket-rejected'],
    [40001, 'token-invalid'],
  ])('errcode %d surfaces as WeChatApiError(kind %s), once, without the token', async (errcode, kind) => {
    // WeChat's errmsg is free text: even if it echoed our secrets they must not surface.
    server.respond(json({ errcode, errmsg: `nope ${CAT} REFRESH_secret_1` }), json({}));
    const err = await api
      .apiAuthorizerToken(CAT, { component_appid: 'wxc', authorizer_appid: 'wxa', authorizer_refresh_token: 'REFRESH_secret_1' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeChatApiError);
    expect(err).toMatchObject({ api: 'api_authorizer_token', errcode, kind });
    expect((err as Error).message).not.toContain(CAT);
    expect((err as Error).message).not.toContain('REFRESH_secret_1');
    expect(server.requests).toHaveLength(1);
  });
});

describe('permissionSetIds', () => {
  it('returns the granted set ids sorted and unique', () => {
    expect(
      permissionSetIds([
        { funcscope_category: { id: 15 } },
        { funcscope_category: { id: 2 } },
        { funcscope_category: { id: 100 } },
        { funcscope_category: { id: 2 } },
        { funcscope_category: { id: 1 } },
      ]),
    ).toEqual([1, 2, 15, 100]);
  });

  it('tolerates missing or malformed entries', () => {
    expect(permissionSetIds(undefined)).toEqual([]);
    expect(permissionSetIds(null)).toEqual([]);
    expect(
      permissionSetIds([
        {} as never,
        { funcscope_category: {} } as never,
        { funcscope_category: { id: '2' } } as never,
        { funcscope_category: { id: 7 } },
      ]),
    ).toEqual([7]);
  });
});
