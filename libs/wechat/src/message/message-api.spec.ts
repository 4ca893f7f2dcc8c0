import { WeChatApiError, WeChatRequestError, WeChatTransportError } from '../errors/api-errors';
import { WeChatHttp } from '../http/wechat-http';
import { json, LocalHttpServer } from '../testing/local-http-server';
import { MessageApi } from './message-api';

const TOKEN = 'AUTHORIZER_ACCESS_TOKEN_secret_9';
const hello = { touser: 'oFollower', msgtype: 'text' as const, text: { content: 'hello' } };

describe('MessageApi', () => {
  let server: LocalHttpServer;
  let http: WeChatHttp;
  let api: MessageApi;

  beforeEach(async () => {
    server = await LocalHttpServer.start();
    http = new WeChatHttp({ baseUrl: server.baseUrl, sleep: async () => undefined });
    api = new MessageApi(http);
  });
  afterEach(async () => {
    http.close();
    await server.close();
  });

  it('posts the message to cgi-bin/message/custom/send with the access token', async () => {
    server.respond(json({ errcode: 0, errmsg: 'ok' }));
    await api.customSend(TOKEN, hello);
    expect(server.requests[0]).toMatchObject({
      path: '/cgi-bin/message/custom/send',
      query: { access_token: TOKEN },
      body: hello,
    });
  });

  // A write: the proxy's rule (only calls marked idempotent are sent again) holds here too.
  it('never sends a message twice, neither after a 5xx nor after system busy (-1)', async () => {
    server.respond(json({ message: 'boom' }, 502));
    await expect(api.customSend(TOKEN, hello)).rejects.toBeInstanceOf(WeChatTransportError);
    expect(server.requests).toHaveLength(1);

    server.respond(json({ errcode: -1, errmsg: 'system error' }), json({ errcode: 0, errmsg: 'ok' }));
    await expect(api.customSend(TOKEN, hello)).rejects.toMatchObject({ kind: 'retryable' });
    expect(server.requests).toHaveLength(2);
  });

  it('reports WeChat refusals as WeChatApiError with their kind', async () => {
    server.respond(json({ errcode: 40001, errmsg: 'invalid credential' }));
    const err = await api.customSend(TOKEN, hello).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeChatApiError);
    expect((err as WeChatApiError).kind).toBe('token-invalid');
  });

  it('refuses a call without token or recipient before sending anything', async () => {
    await expect(api.customSend('', hello)).rejects.toBeInstanceOf(WeChatRequestError);
    await expect(api.customSend(TOKEN, { ...hello, touser: '' })).rejects.toBeInstanceOf(WeChatRequestError);
    expect(server.requests).toHaveLength(0);
  });
});
