import { WeChatApiError, WeChatRequestError } from '../errors/api-errors';
import { WeChatHttp } from '../http/wechat-http';
import { json, LocalHttpServer } from '../testing/local-http-server';
import { BlacklistApi, MAX_OPENIDS_PER_BATCH, nextBlacklistCursor } from './blacklist-api';

const TOKEN = 'AUTHORIZER_ACCESS_TOKEN_secret_7';
const openids = (n: number) => Array.from({ length: n }, (_, i) => `openid-${i}`);

describe('BlacklistApi', () => {
  let server: LocalHttpServer;
  let http: WeChatHttp;
  let api: BlacklistApi;

  beforeEach(async () => {
    server = await LocalHttpServer.start();
    http = new WeChatHttp({ baseUrl: server.baseUrl, sleep: async () => undefined });
    api = new BlacklistApi(http);
  });
  afterEach(async () => {
    http.close();
    await server.close();
  });

  it("MAX_OPENIDS_PER_BATCH is WeChat's limit of 20", () => {
    expect(MAX_OPENIDS_PER_BATCH).toBe(20);
  });

  describe('getblacklist', () => {
    it('starts from the beginning by default', async () => {
      const page = { total: 2, count: 2, data: { openid: ['a', 'b'] }, next_openid: 'b' };
      server.respond(json(page));
      await expect(api.getblacklist(TOKEN)).resolves.toEqual(page);
      expect(server.requests[0]).toMatchObject({
        path: '/cgi-bin/tags/members/getblacklist',
        query: { access_token: TOKEN },
        body: { begin_openid: '' },
      });
    });

    it('passes the cursor', async () => {
      server.respond(json({ total: 0, count: 0, next_openid: '' }));
      await api.getblacklist(TOKEN, 'cursor-1');
      expect(server.requests[0].body).toEqual({ begin_openid: 'cursor-1' });
    });
  });

  describe.each(['batchblacklist', 'batchunblacklist'] as const)('%s', (name) => {
    const invoke = (ids: readonly string[], token = TOKEN) => api[name](token, ids);

    it('sends openid_list with the access token', async () => {
      server.respond(json({ errcode: 0, errmsg: 'ok' }));
      await expect(invoke(openids(20))).resolves.toBeUndefined();
      expect(server.requests[0]).toMatchObject({
        path: `/cgi-bin/tags/members/${name}`,
        query: { access_token: TOKEN },
        body: { openid_list: openids(20) },
      });
    });

    it.each([
      ['21 openids', openids(21)],
      ['1000 openids', openids(1000)],
      ['no openids', []],
      ['an empty openid', ['a', '']],
    ])('refuses %s before sending anything', async (_label, ids) => {
      server.respond(json({ errcode: 0 }));
      const err = await invoke(ids).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WeChatRequestError);
      expect(err).toMatchObject({ code: 'WECHAT_REQUEST_INVALID', api: name });
      expect(server.requests).toHaveLength(0);
    });

    it('refuses an empty access token before sending anything', async () => {
      await expect(invoke(['a'], '')).rejects.toBeInstanceOf(WeChatRequestError);
      expect(server.requests).toHaveLength(0);
    });

    it.each([
      [40003, 'invalid-openid'],
      [49003, 'invalid-openid'],
      [48001, 'api-unauthorized'],
      [61007, 'set-missing'],
      [45009, 'quota-daily'],
      [40001, 'token-invalid'],
    ])('errcode %d → WeChatApiError(%s) after one attempt, token not in the message', async (errcode, kind) => {
      server.respond(json({ errcode, errmsg: 'err' }), json({ errcode: 0 }));
      const err = await invoke(['a', 'b']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WeChatApiError);
      expect(err).toMatchObject({ api: name, errcode, kind });
      expect((err as Error).message).not.toContain(TOKEN);
      expect(server.requests).toHaveLength(1);
    });
  });
});

describe('nextBlacklistCursor (the getblacklist paging rule)', () => {
  const page = (openid: string[], next: string) => ({ total: 9, count: openid.length, data: { openid }, next_openid: next });

  it('follows next_openid after a full page', () => {
    expect(nextBlacklistCursor(page(['a', 'b'], 'b'), '')).toBe('b');
  });

  it('stops after an empty page, even with a next_openid', () => {
    expect(nextBlacklistCursor({ total: 3, count: 0, next_openid: 'c' }, 'c0')).toBeNull();
    expect(nextBlacklistCursor({ total: 3, count: 1, next_openid: 'c' }, 'c0')).toBeNull();
  });

  it('stops when next_openid is empty', () => {
    expect(nextBlacklistCursor(page(['a'], ''), '')).toBeNull();
  });

  it('stops instead of looping when WeChat hands back the cursor it was sent', () => {
    expect(nextBlacklistCursor(page(['a'], 'a'), 'a')).toBeNull();
  });
});
