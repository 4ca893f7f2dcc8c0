import { WeChatApiError, WeChatRequestError } from '../errors/api-errors';
import { WeChatHttp } from '../http/wechat-http';
import { json, LocalHttpServer } from '../testing/local-http-server';
import { BlacklistApi, MAX_OPENIDS_PER_BATCH } from './blacklist-api';

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

  describe('blacklistPages', () => {
    async function collect(begin?: string): Promise<string[][]> {
      const pages: string[][] = [];
      for await (const page of api.blacklistPages(TOKEN, begin)) pages.push(page);
      return pages;
    }

    it('follows next_openid until a page is empty', async () => {
      server.respond(
        json({ total: 3, count: 2, data: { openid: ['a', 'b'] }, next_openid: 'b' }),
        json({ total: 3, count: 1, data: { openid: ['c'] }, next_openid: 'c' }),
        json({ total: 3, count: 0, next_openid: '' }),
      );
      await expect(collect()).resolves.toEqual([['a', 'b'], ['c']]);
      expect(server.requests.map((r) => (r.body as { begin_openid: string }).begin_openid)).toEqual(['', 'b', 'c']);
    });

    it('stops when next_openid is empty', async () => {
      server.respond(json({ total: 1, count: 1, data: { openid: ['a'] }, next_openid: '' }));
      await expect(collect()).resolves.toEqual([['a']]);
      expect(server.requests).toHaveLength(1);
    });

    it('stops instead of looping when WeChat returns the same cursor', async () => {
      server.respond(
        json({ total: 9, count: 1, data: { openid: ['a'] }, next_openid: 'a' }),
        json({ total: 9, count: 1, data: { openid: ['a'] }, next_openid: 'a' }),
        json({ total: 9, count: 1, data: { openid: ['a'] }, next_openid: 'a' }),
      );
      await expect(collect()).resolves.toEqual([['a'], ['a']]);
      expect(server.requests).toHaveLength(2);
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
