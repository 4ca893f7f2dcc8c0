import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { WeChatMessageCrypto } from '@app/wechat';
import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, craftPush, createTenant, sendPush, sql } from './support/onboarding';

/** Writes raw bytes to the gateway and returns everything it answers (Node's parser errors never reach Express). */
function rawExchange(h: Harness, bytes: string): Promise<string> {
  const { port } = new URL(h.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

function expectErrorJson(body: unknown, code: string) {
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String), requestId: expect.any(String) }) });
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const UUID = '00000000-0000-4000-8000-000000000000';

describe('hardening: bad input is a 4xx in the error JSON, never a 500 or a crash', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: (c) => ({ ...c, rateLimits: { failedAuthPerMinute: 10_000 } }) });
  });
  afterAll(() => h.close());
  afterEach(async () => {
    await request(h.url).get('/health/live').expect(200);
  });

  const op = () => bearer(h.operatorKey);

  it('Node’s parser errors answer in the error JSON: 431 for oversized headers, 400 for a bad request line', async () => {
    const big = await rawExchange(h, `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    expectErrorJson(JSON.parse(big.slice(big.indexOf('\r\n\r\n') + 4)), 'HEADERS_TOO_LARGE');
    const bad = await rawExchange(h, 'THIS IS NOT HTTP\r\n\r\n');
    expect(bad).toMatch(/^HTTP\/1\.1 400 /);
    expectErrorJson(JSON.parse(bad.slice(bad.indexOf('\r\n\r\n') + 4)), 'MALFORMED_REQUEST');
  });

  it('a malformed escape in a query parameter name: the route’s normal answer, and no error log', async () => {
    const before = h.logs.lines.length;
    for (const path of ['/health/live?%=1', '/health?%zz=1', '/v1/tenants?%E0%A4%A=1']) {
      const res = await request(h.url).get(path).set(op());
      expect(res.status).toBeLessThan(500);
    }
    const errors = h.logs.lines.slice(before).filter((l) => JSON.parse(l).level >= 50);
    expect(errors).toEqual([]);
  });

  it('JSON nested 20,000 levels → 400 VALIDATION_FAILED (not a stack overflow)', async () => {
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    for (const body of [deep, `{"name":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`]) {
      const res = await request(h.url).post('/v1/tenants').set(op()).set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(400);
      expectErrorJson(res.body, 'VALIDATION_FAILED');
    }
  });

  it.each([
    ['name', { name: 'a\u0000b' }],
    ['externalId', { name: 'ok', externalId: 'x\u0000' }],
    ['name (other control character)', { name: 'line\u001bbreak' }],
  ])('a control character in %s → 400 VALIDATION_FAILED', async (_field, body) => {
    const res = await request(h.url).post('/v1/tenants').set(op()).send(body);
    expect(res.status).toBe(400);
    expectErrorJson(res.body, 'VALIDATION_FAILED');
  });

  it('control characters in returnUrl, a webhook url or description → 400 VALIDATION_FAILED', async () => {
    const t = await createTenant(h, 'Ctl');
    const s = await request(h.url)
      .post(`/v1/tenants/${t.id}/authorization-sessions`)
      .set(op())
      .send({ returnUrl: 'https://shop.example/\u0000' });
    expect(s.status).toBe(400);
    for (const body of [{ url: 'https://example.com/\u0000' }, { url: 'https://example.com/', description: 'a\u0000' }]) {
      const w = await request(h.url).post('/v1/webhook-endpoints').set(op()).send(body);
      expect(w.status).toBe(400);
      expectErrorJson(w.body, 'VALIDATION_FAILED');
    }
  });

  it.each([
    ['a bare number as the date', b64(['1', UUID])],
    ['a year PostgreSQL cannot store', b64(['-100000-01-01T00:00:00.000Z', UUID])],
    ['a date that does not exist', b64(['2026-02-31T00:00:00.000Z', UUID])],
    ['dashes as the id', b64(['2026-01-01T00:00:00.000Z', '-'.repeat(36)])],
    ['not JSON', Buffer.from('\u0000\u0001').toString('base64url')],
    ['JSON that is not a pair', b64(null)],
  ])('crafted cursor (%s) → 400 on tenants and webhook endpoints', async (_what, cursor) => {
    for (const path of ['/v1/tenants', '/v1/webhook-endpoints']) {
      const res = await request(h.url).get(path).query({ cursor }).set(op());
      expect(res.status).toBe(400);
      expectErrorJson(res.body, 'VALIDATION_FAILED');
    }
  });

  it('signed pushes with an InfoType over 64 characters, or holding NUL, are answered success', async () => {
    const appId = h.config.wechat.componentAppId;
    const crypto = new WeChatMessageCrypto({
      token: h.config.wechat.componentToken,
      encodingAESKey: h.config.wechat.encodingAESKey,
      appId,
    });
    // Built by hand: buildWeChatXml refuses NUL, a hostile (or buggy) sender does not.
    const xml = (fields: string) => `<xml><AppId><![CDATA[${appId}]]></AppId><CreateTime>1</CreateTime>${fields}</xml>`;
    for (const message of [
      xml(`<InfoType><![CDATA[${'x'.repeat(65)}]]></InfoType>`),
      xml('<InfoType><![CDATA[authorized\u0000]]></InfoType>'),
      xml('<InfoType><![CDATA[unauthorized]]></InfoType><AuthorizerAppid><![CDATA[wx\u0000bad]]></AuthorizerAppid>'),
      xml('<InfoType>&#0;</InfoType>'),
    ]) {
      const push = crypto.encryptPush(message, String(Math.floor(Date.now() / 1000)));
      const res = await sendPush(h, {
        path: `/wechat/component/events?${new URLSearchParams(push.query).toString()}`,
        body: push.body,
      });
      expect(res.status).toBe(200);
      expect(res.text).toBe('success');
    }
    // A push with an odd but valid type is still recorded and acknowledged.
    expect((await sendPush(h, craftPush(h, { InfoType: 'some_new_type', CreateTime: 1 }))).text).toBe('success');
  });

  it('returnUrl is validated by the parser that uses it (new URL): http://a.0x7f and a backslash trick are refused', async () => {
    const t = await createTenant(h, 'Ret');
    for (const returnUrl of [
      'http://a.0x7f',
      'https://evil.example\\@good.example',
      'https://u:p@good.example/',
      'ftp://x.example/',
    ]) {
      const res = await request(h.url).post(`/v1/tenants/${t.id}/authorization-sessions`).set(op()).send({ returnUrl });
      expect(res.status).toBe(400);
      expectErrorJson(res.body, 'VALIDATION_FAILED');
    }
    const ok = await request(h.url)
      .post(`/v1/tenants/${t.id}/authorization-sessions`)
      .set(op())
      .send({ returnUrl: 'https://Shop.Example/done' })
      .expect(201);
    const [row] = await sql<{ return_url: string }>(h, `SELECT return_url FROM authorization_sessions WHERE id = $1`, [
      ok.body.id,
    ]);
    expect(row.return_url).toBe('https://shop.example/done');
  });

  it('authentication is answered before the body is parsed: a wrong key with malformed JSON → 401', async () => {
    const res = await request(h.url)
      .post('/v1/tenants')
      .set(bearer('wrong-key-wrong-key'))
      .set('Content-Type', 'application/json')
      .send('{not json');
    expect(res.status).toBe(401);
    expectErrorJson(res.body, 'UNAUTHENTICATED');
    const none = await request(h.url).post('/v1/tenants').set('Content-Type', 'application/json').send('{not json');
    expect(none.status).toBe(401);
  });

  it('compressed bodies are refused (415), before inflating anything', async () => {
    const bomb = gzipSync(Buffer.from(JSON.stringify({ name: 'x'.repeat(2_000_000) })));
    const res = await request(h.url)
      .post('/v1/tenants')
      .set(op())
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send(bomb);
    expect(res.status).toBe(415);
    expectErrorJson(res.body, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('replies carrying a key, a token or a secret send Cache-Control: no-store', async () => {
    const created = await request(h.url).post('/v1/tenants').set(op()).send({ name: 'NoStore' }).expect(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const id = created.body.id as string;
    const rotated = await request(h.url).post(`/v1/tenants/${id}/api-keys`).set(op()).expect(201);
    expect(rotated.headers['cache-control']).toBe('no-store');
    const session = await request(h.url).post(`/v1/tenants/${id}/authorization-sessions`).set(op()).send({}).expect(201);
    expect(session.headers['cache-control']).toBe('no-store');
    for (const base of ['/v1/webhook-endpoints', `/v1/tenants/${id}/webhook-endpoints`]) {
      const ep = await request(h.url).post(base).set(op()).send({ url: 'https://example.com/h' }).expect(201);
      expect(ep.headers['cache-control']).toBe('no-store');
      const rot = await request(h.url).post(`${base}/${ep.body.id}/secret`).set(op());
      expect(rot.status).toBeLessThan(300);
      expect(rot.headers['cache-control']).toBe('no-store');
    }
  });

  it('/metrics is served on the API port and open by default', async () => {
    const res = await request(h.url).get('/metrics').expect(200);
    expect(res.text).toContain('http_requests_total');
    expect(res.text).toContain('auth_failures_total');
  });
});
