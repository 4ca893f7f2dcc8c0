import { WeChatApiError, WeChatRequestError } from '../errors/api-errors';
import { WeChatHttp } from '../http/wechat-http';
import { json, LocalHttpServer } from '../testing/local-http-server';
import { jssdkSignature, TicketApi } from './jssdk';

// The official vector of the JS-SDK documentation, appendix 1 (contract section 9).
const OFFICIAL = {
  ticket: 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg',
  nonceStr: 'Wm3WZYTPz0wzccnW',
  timestamp: 1414587457,
};

describe('jssdkSignature', () => {
  it('reproduces the official vector', () => {
    expect(jssdkSignature({ ...OFFICIAL, url: 'http://mp.weixin.qq.com?params=value' })).toBe(
      '0f9de62fce790f9a083d5c99e95740ceb90c27ed',
    );
    expect(jssdkSignature({ ...OFFICIAL, url: 'http://mp.weixin.qq.com' })).toBe('f4d90daf4b3bca3078ab155816175ba34c443a7b');
  });

  it('signs the url exactly as given (no normalisation, no escaping)', () => {
    const a = jssdkSignature({ ...OFFICIAL, url: 'http://mp.weixin.qq.com?params=value' });
    expect(jssdkSignature({ ...OFFICIAL, url: 'http://mp.weixin.qq.com/?params=value' })).not.toBe(a);
    expect(jssdkSignature({ ...OFFICIAL, url: 'http://mp.weixin.qq.com?params=%76alue' })).not.toBe(a);
  });
});

describe('TicketApi', () => {
  let server: LocalHttpServer;
  let http: WeChatHttp;
  let api: TicketApi;

  beforeEach(async () => {
    server = await LocalHttpServer.start();
    http = new WeChatHttp({ baseUrl: server.baseUrl, sleep: async () => undefined });
    api = new TicketApi(http);
  });
  afterEach(async () => {
    http.close();
    await server.close();
  });

  it('GETs cgi-bin/ticket/getticket with the authorizer token and the type', async () => {
    server.respond(json({ errcode: 0, errmsg: 'ok', ticket: 'T', expires_in: 7200 }));
    await expect(api.getTicket('AUTHORIZER_TOKEN_1', 'wx_card')).resolves.toMatchObject({ ticket: 'T', expires_in: 7200 });
    expect(server.requests[0]).toMatchObject({
      method: 'GET',
      path: '/cgi-bin/ticket/getticket',
      query: { access_token: 'AUTHORIZER_TOKEN_1', type: 'wx_card' },
    });
  });

  it('reports 45009 as quota-daily and 42001 as token-invalid', async () => {
    server.respond(json({ errcode: 45009, errmsg: 'reach max api daily quota limit' }), json({ errcode: 42001, errmsg: 'x' }));
    await expect(api.getTicket('AUTHORIZER_TOKEN_1', 'jsapi')).rejects.toMatchObject({ kind: 'quota-daily' });
    const err = await api.getTicket('AUTHORIZER_TOKEN_1', 'jsapi').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeChatApiError);
    expect((err as WeChatApiError).kind).toBe('token-invalid');
  });

  it('refuses a bad type or an empty token before sending', async () => {
    await expect(api.getTicket('', 'jsapi')).rejects.toBeInstanceOf(WeChatRequestError);
    await expect(api.getTicket('t', 'card' as never)).rejects.toBeInstanceOf(WeChatRequestError);
    expect(server.requests).toHaveLength(0);
  });
});
