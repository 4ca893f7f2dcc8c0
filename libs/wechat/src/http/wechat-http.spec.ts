import type { LookupFunction } from 'node:net';
import { inspect } from 'node:util';
import { isOutcomeUnknown, WeChatApiError, WeChatTransportError } from '../errors/api-errors';
import type { WeChatErrorKind } from '../errors/error-kinds';
import { dropConnection, hang, json, LocalHttpServer, text } from '../testing/local-http-server';
import { type WeChatCallEvent, type WeChatForwardRequest, WeChatHttp, type WeChatHttpOptions } from './wechat-http';

const TOKEN = 'SECRET_TOKEN_0123456789abcdef';
const PATH = '/cgi-bin/tags/members/batchblacklist';
const BODY = { openid_list: ['o1', 'o2'] };

describe('WeChatHttp', () => {
  let server: LocalHttpServer;
  let wechat: WeChatHttp;
  let sleeps: number[];

  function client(overrides: Partial<WeChatHttpOptions> = {}): WeChatHttp {
    wechat?.close();
    wechat = new WeChatHttp({
      baseUrl: server.baseUrl,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      ...overrides,
    });
    return wechat;
  }

  // batchblacklist is resendable (blocking twice is blocking once), as BlacklistApi marks it.
  const call = (http: WeChatHttp = wechat) =>
    http.post<Record<string, unknown>>('batchblacklist', PATH, { access_token: TOKEN }, BODY, { idempotent: true });

  async function failure(promise: Promise<unknown>): Promise<Error> {
    try {
      await promise;
    } catch (err) {
      return err as Error;
    }
    throw new Error('expected the call to fail');
  }

  function expectNoToken(err: Error): void {
    expect(err.message).not.toContain(TOKEN);
    expect(inspect(err, { depth: 5, showHidden: true })).not.toContain(TOKEN);
    expect(JSON.stringify(err)).not.toContain(TOKEN);
  }

  beforeEach(async () => {
    server = await LocalHttpServer.start();
    sleeps = [];
    client();
  });

  afterEach(async () => {
    wechat.close();
    await server.close();
  });

  describe('success', () => {
    it('POSTs JSON to baseUrl + path with the query and returns the reply', async () => {
      server.respond(json({ errcode: 0, errmsg: 'ok' }));
      await expect(call()).resolves.toEqual({ errcode: 0, errmsg: 'ok' });
      expect(server.requests).toHaveLength(1);
      const [req] = server.requests;
      expect(req.method).toBe('POST');
      expect(req.path).toBe(PATH);
      expect(req.query).toEqual({ access_token: TOKEN });
      expect(req.body).toEqual(BODY);
      expect(req.headers['content-type']).toMatch(/^application\/json/);
    });

    it('accepts a reply without errcode, even when served as text/plain', async () => {
      server.respond(text('{"component_access_token":"t","expires_in":7200}', 200, 'text/plain'));
      await expect(call()).resolves.toEqual({ component_access_token: 't', expires_in: 7200 });
    });

    it('honours a path prefix in baseUrl', async () => {
      const prefixed = new WeChatHttp({ baseUrl: `${server.baseUrl}/sim/` });
      server.respond(json({}));
      await prefixed.post('getblacklist', '/cgi-bin/x', {}, {});
      prefixed.close();
      expect(server.requests[0].path).toBe('/sim/cgi-bin/x');
    });

    it('reuses one keep-alive connection for sequential calls', async () => {
      server.respond(json({}), json({}), json({}));
      await call();
      await call();
      await call();
      expect(server.requests).toHaveLength(3);
      expect(server.connections).toBe(1);
    });

    it('refuses a baseUrl that is not http(s)', () => {
      expect(() => new WeChatHttp({ baseUrl: 'ftp://example.com' })).toThrow(TypeError);
      expect(() => new WeChatHttp({ baseUrl: 'not a url' })).toThrow(TypeError);
    });
  });

  describe('errcodes', () => {
    it.each<[number, WeChatErrorKind]>([
      [40001, 'token-invalid'],
      [42001, 'token-invalid'],
      [40003, 'invalid-openid'],
      [40032, 'configuration'],
      [45009, 'quota-daily'],
      [48001, 'api-unauthorized'],
      [61004, 'configuration'],
      [61023, 'revoked'],
      [61009, 'auth-code-rejected'],
    ])('%d → WeChatApiError(kind %s) after exactly one attempt', async (errcode, kind) => {
      server.respond(json({ errcode, errmsg: `message ${errcode}` }), json({ errcode: 0 }));
      const err = await failure(call());
      expect(err).toBeInstanceOf(WeChatApiError);
      expect(err).toMatchObject({
        code: 'WECHAT_API_ERROR',
        api: 'batchblacklist',
        errcode,
        errmsg: `message ${errcode}`,
        kind,
      });
      expect(server.requests).toHaveLength(1);
      expect(sleeps).toEqual([]);
    });

    it('treats a non-zero errcode as a failure even with HTTP 200, and reads numeric strings', async () => {
      server.respond(json({ errcode: '40003', errmsg: 'invalid openid' }));
      const err = await failure(call());
      expect(err).toMatchObject({ errcode: 40003, kind: 'invalid-openid' });
    });

    it('reads errcode from a non-2xx (but not 5xx) reply too', async () => {
      server.respond(json({ errcode: 40013, errmsg: 'invalid appid' }, 400));
      await expect(call()).rejects.toMatchObject({ errcode: 40013, kind: 'configuration' });
    });

    it('redacts our token and secrets if WeChat echoes them in errmsg', async () => {
      server.respond(json({ errcode: 40001, errmsg: `invalid credential ${TOKEN} rid: 1` }));
      const err = await failure(call());
      expect((err as WeChatApiError).errmsg).toBe('invalid credential [redacted] rid: 1');
      expectNoToken(err);
    });
  });

  describe('retries', () => {
    it('-1 then success: retried after a jittered backoff', async () => {
      server.respond(json({ errcode: -1, errmsg: 'system error' }), json({ errcode: 0, errmsg: 'ok' }));
      await expect(call()).resolves.toMatchObject({ errcode: 0 });
      expect(server.requests).toHaveLength(2);
      expect(sleeps).toEqual([100]); // random 0.5 × base 200
    });

    it('-1 every time: gives up with the retryable WeChatApiError after exactly 3 attempts', async () => {
      server.respond(...Array.from({ length: 5 }, () => json({ errcode: -1, errmsg: 'busy' })));
      const err = await failure(call());
      expect(err).toMatchObject({ errcode: -1, kind: 'retryable' });
      expect(server.requests).toHaveLength(3);
      expect(sleeps).toHaveLength(2);
    });

    it('5xx thrice: WeChatTransportError(http-5xx) after exactly 3 attempts', async () => {
      server.respond(...Array.from({ length: 5 }, () => text('<html>bad gateway</html>', 502)));
      const err = await failure(call());
      expect(err).toBeInstanceOf(WeChatTransportError);
      expect(err).toMatchObject({ code: 'WECHAT_UNAVAILABLE', reason: 'http-5xx', httpStatus: 502, api: 'batchblacklist' });
      expect(server.requests).toHaveLength(3);
      expectNoToken(err);
    });

    it('5xx wins over an errcode in the body (the gateway in front of WeChat failed)', async () => {
      server.respond(json({ errcode: 40003 }, 503), json({ errcode: 0 }));
      await expect(call()).resolves.toMatchObject({ errcode: 0 });
      expect(server.requests).toHaveLength(2);
    });

    it('honours `tries`', async () => {
      client({ retry: { tries: 5 } });
      server.respond(...Array.from({ length: 6 }, () => text('down', 500)));
      await failure(call());
      expect(server.requests).toHaveLength(5);
    });

    it('ignores non-finite retry settings instead of retrying forever', async () => {
      // A 4th attempt would get the helper's 418 and fail differently.
      client({ retry: { tries: Number.NaN, minuteLimitRetries: Number.POSITIVE_INFINITY } });
      server.respond(...Array.from({ length: 3 }, () => json({ errcode: -1 })));
      await expect(call()).rejects.toMatchObject({ kind: 'retryable' });
      expect(server.requests).toHaveLength(3);
      server.respond(...Array.from({ length: 3 }, () => json({ errcode: 45011 })));
      await expect(call()).rejects.toMatchObject({ kind: 'quota-minute' });
      expect(server.requests).toHaveLength(3 + 3); // default minuteLimitRetries: 2
    });

    it('tries: 1 means no retry at all', async () => {
      client({ retry: { tries: 1 } });
      server.respond(json({ errcode: -1 }), json({ errcode: 0 }));
      await expect(call()).rejects.toMatchObject({ kind: 'retryable' });
      expect(server.requests).toHaveLength(1);
    });

    it('backs off exponentially with full jitter, capped at maxDelayMs', async () => {
      client({ random: () => 0.999, retry: { tries: 5, baseDelayMs: 100, maxDelayMs: 500 } });
      server.respond(...Array.from({ length: 5 }, () => json({ errcode: -1 })));
      await failure(call());
      expect(sleeps).toEqual([99, 199, 399, 499]);
      sleeps = [];
      client({ random: () => 0, retry: { tries: 3 } });
      server.respond(...Array.from({ length: 3 }, () => json({ errcode: -1 })));
      await failure(call());
      expect(sleeps).toEqual([0, 0]);
    });

    it('really sleeps by default (with short delays)', async () => {
      client({ sleep: undefined, retry: { baseDelayMs: 30, maxDelayMs: 30 }, random: () => 1 });
      server.respond(json({ errcode: -1 }), json({ errcode: 0 }));
      const started = Date.now();
      await call();
      // A real timer may fire a little early by the wall clock (it counts from the loop's cached time).
      expect(Date.now() - started).toBeGreaterThanOrEqual(20);
      expect(sleeps).toEqual([]);
    });

    it('45011: waits minuteLimitWaitMs, then retries', async () => {
      server.respond(json({ errcode: 45011, errmsg: 'api minute-quota reach limit' }), json({ errcode: 0 }));
      await expect(call()).resolves.toMatchObject({ errcode: 0 });
      expect(server.requests).toHaveLength(2);
      expect(sleeps).toEqual([60_000]);
    });

    it('45011 persisting: gives up after minuteLimitRetries waits', async () => {
      client({ retry: { minuteLimitWaitMs: 1234, minuteLimitRetries: 2 } });
      server.respond(...Array.from({ length: 4 }, () => json({ errcode: 45011 })));
      const err = await failure(call());
      expect(err).toMatchObject({ errcode: 45011, kind: 'quota-minute' });
      expect(server.requests).toHaveLength(3);
      expect(sleeps).toEqual([1234, 1234]);
    });

    it('45011 waits do not eat into the transient-failure budget', async () => {
      server.respond(json({ errcode: -1 }), json({ errcode: 45011 }), json({ errcode: -1 }), json({ errcode: 0 }));
      await expect(call()).resolves.toMatchObject({ errcode: 0 });
      expect(server.requests).toHaveLength(4);
    });
  });

  describe('transport failures', () => {
    it('a reply that never comes: WeChatTransportError(timeout), retried, bounded by timeoutMs', async () => {
      client({ timeoutMs: 80, retry: { tries: 2 } });
      server.respond(hang(), hang(), hang());
      const started = Date.now();
      const err = await failure(call());
      expect(err).toBeInstanceOf(WeChatTransportError);
      expect(err).toMatchObject({ reason: 'timeout' });
      expect(server.requests).toHaveLength(2);
      expect(Date.now() - started).toBeLessThan(2_000);
      expectNoToken(err);
    });

    it('a timeout, then -1 until the tries run out: the -1 says the outcome is unknown (the first try may have applied)', async () => {
      client({ timeoutMs: 80 });
      server.respond(hang(), json({ errcode: -1, errmsg: 'busy' }), json({ errcode: -1, errmsg: 'busy' }));
      const err = await failure(call());
      expect(err).toMatchObject({ errcode: -1, earlierAttemptUnanswered: true });
      expect(isOutcomeUnknown(err)).toBe(true);
    });

    it('-1 on every try is a known outcome (not applied); so is a dropped connection followed by an answer', async () => {
      server.respond(...Array.from({ length: 3 }, () => json({ errcode: -1, errmsg: 'busy' })));
      const err = await failure(call());
      expect(err).toMatchObject({ errcode: -1, earlierAttemptUnanswered: false });
      expect(isOutcomeUnknown(err)).toBe(false);
      server.respond(dropConnection(), json({ errcode: 40003, errmsg: 'invalid openid' }));
      const bad = await failure(call());
      expect(bad).toMatchObject({ errcode: 40003, earlierAttemptUnanswered: true });
      server.respond(dropConnection(), dropConnection(), dropConnection());
      expect(isOutcomeUnknown(await failure(call()))).toBe(true);
    });

    it('a timeout followed by success is retried', async () => {
      client({ timeoutMs: 80 });
      server.respond(hang(), json({ errcode: 0 }));
      await expect(call()).resolves.toMatchObject({ errcode: 0 });
    });

    it('a connection that is not established in time: WeChatTransportError(timeout), retried', async () => {
      const { port } = new URL(server.baseUrl);
      const slowLookup = ((_host: string, _opts: unknown, cb: (...args: unknown[]) => void) => {
        setTimeout(() => cb(null, '127.0.0.1', 4), 500);
      }) as unknown as LookupFunction;
      client({ baseUrl: `http://wechat.invalid:${port}`, connectTimeoutMs: 30, lookup: slowLookup });
      const started = Date.now();
      const err = await failure(call());
      expect(err).toMatchObject({ reason: 'timeout', code: 'WECHAT_UNAVAILABLE' });
      expect(err.message).toBe('WeChat batchblacklist unavailable: timeout (ECONNECTTIMEOUT)');
      expect(Date.now() - started).toBeLessThan(400); // 3 × 30 ms, not 3 × 500 ms
      expect(server.requests).toHaveLength(0);
    });

    it('a dropped connection: WeChatTransportError(network), retried', async () => {
      server.respond(dropConnection(), dropConnection(), dropConnection());
      const err = await failure(call());
      expect(err).toMatchObject({ reason: 'network', code: 'WECHAT_UNAVAILABLE' });
      expect(server.requests).toHaveLength(3);
      expectNoToken(err);
    });

    it('a refused connection: network error carrying only the system code', async () => {
      const url = server.baseUrl;
      await server.close();
      const http = new WeChatHttp({ baseUrl: url, sleep: async () => undefined });
      const err = await failure(call(http));
      http.close();
      server = await LocalHttpServer.start(); // for afterEach
      expect(err).toMatchObject({ reason: 'network', networkCode: 'ECONNREFUSED' });
      expect(err.message).toBe('WeChat batchblacklist unavailable: network (ECONNREFUSED)');
      expect(err.message).not.toContain('127.0.0.1');
      expectNoToken(err);
    });

    it.each([
      ['HTML with 200', text('<html>maintenance</html>', 200)],
      ['a JSON array', json([1, 2])],
      ['JSON null', json('null')],
      ['404 without errcode', json({ message: 'not found' }, 404)],
    ])('%s: WeChatTransportError(bad-response), not retried', async (_name, responder) => {
      server.respond(responder, json({ errcode: 0 }));
      const err = await failure(call());
      expect(err).toMatchObject({ reason: 'bad-response' });
      expect(server.requests).toHaveLength(1);
      expectNoToken(err);
    });

    it('an oversized reply is refused as bad-response, not retried', async () => {
      client({ maxResponseBytes: 1024 });
      server.respond(json({ data: 'x'.repeat(10_000) }), json({}));
      await expect(call()).rejects.toMatchObject({ reason: 'bad-response' });
      expect(server.requests).toHaveLength(1);
    });
  });

  describe('onCall', () => {
    it('reports every attempt with its outcome', async () => {
      const events: WeChatCallEvent[] = [];
      client({ onCall: (e) => events.push(e) });
      server.respond(text('x', 500), json({ errcode: -1 }), json({ errcode: 0 }));
      await call();
      expect(events.map(({ durationMs: _d, ...rest }) => rest)).toEqual([
        { api: 'batchblacklist', attempt: 1, outcome: 'transport-error', reason: 'http-5xx', httpStatus: 500 },
        { api: 'batchblacklist', attempt: 2, outcome: 'api-error', errcode: -1, kind: 'retryable', httpStatus: 200 },
        { api: 'batchblacklist', attempt: 3, outcome: 'ok', httpStatus: 200 },
      ]);
      for (const e of events) expect(e.durationMs).toBeGreaterThanOrEqual(0);
    });

    it('a throwing observer does not break the call', async () => {
      client({
        onCall: () => {
          throw new Error('metrics down');
        },
      });
      server.respond(json({ errcode: 0 }));
      await expect(call()).resolves.toMatchObject({ errcode: 0 });
    });
  });
  describe('calls not marked idempotent', () => {
    const write = () => wechat.post('batchblacklist', PATH, { access_token: TOKEN }, BODY);

    it('-1 is not resent: WeChat may have applied the write', async () => {
      server.respond(json({ errcode: -1, errmsg: 'busy' }), json({ errcode: 0 }));
      await expect(write()).rejects.toMatchObject({ kind: 'retryable' });
      expect(server.requests).toHaveLength(1);
    });

    it('a 5xx is not resent either', async () => {
      server.respond(text('down', 502), json({ errcode: 0 }));
      await expect(write()).rejects.toMatchObject({ reason: 'http-5xx' });
      expect(server.requests).toHaveLength(1);
    });
  });

  describe('forward', () => {
    const request = (over: Partial<WeChatForwardRequest> = {}): WeChatForwardRequest => ({
      method: 'POST',
      path: 'cgi-bin/message/custom/send',
      query: 'access_token=FROM_CALLER&x=1',
      body: Buffer.from('{"touser":"o1", "msgtype":"text"}'),
      contentType: 'application/json; charset=utf-8',
      idempotent: false,
      ...over,
    });

    it('passes method, path, query (our token instead of the caller’s), bytes and content type through', async () => {
      server.respond(text('{"errcode":0,"errmsg":"ok"}', 200, 'text/plain'));
      const reply = await wechat.forward(request(), TOKEN);
      const [req] = server.requests;
      expect(req).toMatchObject({ method: 'POST', path: '/cgi-bin/message/custom/send', query: { x: '1', access_token: TOKEN } });
      expect(req.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(req.body).toEqual({ touser: 'o1', msgtype: 'text' });
      expect(reply).toMatchObject({ httpStatus: 200, contentType: 'text/plain', errcode: 0 });
      expect(reply.body.toString()).toBe('{"errcode":0,"errmsg":"ok"}');
    });

    it('returns an errcode reply with its kind instead of throwing', async () => {
      server.respond(json({ errcode: 40001, errmsg: `bad ${TOKEN}` }));
      const reply = await wechat.forward(request(), TOKEN);
      expect(reply.errcode).toBe(40001);
      expect(reply.error).toMatchObject({ kind: 'token-invalid', api: 'cgi-bin/message/custom/send' });
      expectNoToken(reply.error!);
    });

    it('-1 on a write is answered as it is, never resent', async () => {
      server.respond(json({ errcode: -1, errmsg: 'busy' }), json({ errcode: 0 }));
      const reply = await wechat.forward(request(), TOKEN);
      expect(reply.errcode).toBe(-1);
      expect(server.requests).toHaveLength(1);
      expect(sleeps).toEqual([]);
    });

    it('-1 and 5xx on an idempotent read are retried with backoff', async () => {
      server.respond(json({ errcode: -1 }), text('down', 503), json({ subscribe: 1 }));
      const reply = await wechat.forward(request({ method: 'GET', path: 'cgi-bin/user/info', idempotent: true }), TOKEN);
      expect(reply.errcode).toBe(0);
      expect(server.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
      expect(sleeps).toHaveLength(2);
    });

    it('a 5xx on a write is a transport error after one attempt', async () => {
      server.respond(text('down', 502), json({ errcode: 0 }));
      await expect(wechat.forward(request(), TOKEN)).rejects.toMatchObject({ reason: 'http-5xx' });
      expect(server.requests).toHaveLength(1);
    });

    it('hands binary replies on untouched', async () => {
      const bytes = Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x7b]);
      server.respond((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'image/jpeg' });
        res.end(bytes);
      });
      const reply = await wechat.forward(request({ method: 'GET', path: 'cgi-bin/media/get', idempotent: true }), TOKEN);
      expect(reply).toMatchObject({ contentType: 'image/jpeg', errcode: 0 });
      expect(reply.body.equals(bytes)).toBe(true);
    });
  });
});
