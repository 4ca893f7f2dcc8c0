import { createHash } from 'node:crypto';
import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, createTenant, onboardTenant, sql, type OnboardedTenant } from './support/onboarding';
import { lastSeq } from './support/blacklist-helpers';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
/** How the simulator's call log shows a credential (`***` + 8 hex of its SHA-256). */
const masked = (secret: string) => `***${sha256(secret).slice(0, 8)}`;

const proxyPost = (h: Harness, tenantId: string, path: string, key = h.operatorKey) =>
  request(h.url).post(`/v1/tenants/${tenantId}/wechat/${path}`).set(bearer(key));
const proxyGet = (h: Harness, tenantId: string, path: string, key = h.operatorKey) =>
  request(h.url).get(`/v1/tenants/${tenantId}/wechat/${path}`).set(bearer(key));

async function currentToken(h: Harness, tenantId: string): Promise<string> {
  const res = await request(h.url).get(`/v1/tenants/${tenantId}/authorizer-token`).set(bearer(h.operatorKey)).expect(200);
  return res.body.accessToken as string;
}

const authorizerRefreshes = (h: Harness, since: number) => h.sim.calls({ api: 'component/api_authorizer_token', since }).length;

describe('WeChat proxy (simulator over HTTP)', () => {
  let h: Harness;
  let t: OnboardedTenant;

  beforeAll(async () => {
    h = await startHarness({ config: (c) => ({ ...c, wechatProxy: { extraPaths: ['cgi-bin/shorturl', 'wxa/'] } }) });
    await h.sim.pushTicket();
    t = await onboardTenant(h, { permissionSets: [1, 2, 11, 15], followers: 3 });
  });
  afterAll(() => h.close());
  afterEach(() => h.sim.clearFaults());

  describe('reaches WeChat with the tenant’s token and the caller’s bytes', () => {
    it('a custom message: JSON body byte for byte, reply verbatim with wtg-wechat-errcode and x-request-id', async () => {
      const token = await currentToken(h, t.id);
      const since = lastSeq(h.sim);
      // Odd spacing and key order on purpose: a re-serialised body would differ.
      const body = `{ "touser":"${t.followers[0]}",  "msgtype":"text","text":{"content":"你好 \\u00e9"} }`;
      const res = await proxyPost(h, t.id, 'cgi-bin/message/custom/send?access_token=forged-caller-token&x=1', t.apiKey)
        .set('Content-Type', 'application/json')
        .set('x-request-id', 'req-custom-1')
        .send(body)
        .expect(200);
      expect(res.text).toBe('{"errcode":0,"errmsg":"ok"}');
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['wtg-wechat-errcode']).toBe('0');
      expect(res.headers['x-request-id']).toBe('req-custom-1');
      const [call] = h.sim.calls({ api: 'message/custom/send', since });
      expect(call.query).toEqual({ access_token: masked(token), x: '1' });
      expect(call.bodySha256).toBe(sha256(body));
      expect(call.contentType).toBe('application/json');
      expect(call.appId).toBe(t.appId);
      expect(h.logs.text()).not.toContain(token);
      expect(h.logs.text()).not.toContain('forged-caller-token');
    });

    it('a user/info read: GET with the query passed through', async () => {
      const token = await currentToken(h, t.id);
      const since = lastSeq(h.sim);
      const res = await proxyGet(h, t.id, `cgi-bin/user/info?openid=${t.followers[1]}&lang=en`).expect(200);
      expect(res.body).toMatchObject({ subscribe: 1, openid: t.followers[1], language: 'en' });
      const calls = h.sim.calls({ api: 'user/info', since });
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({
        method: 'GET',
        query: { openid: t.followers[1], lang: 'en', access_token: masked(token) },
      });
    });

    it('a menu create, then menu/get returns it', async () => {
      const menu = { button: [{ type: 'click', name: '今日歌曲', key: 'V1001_TODAY_MUSIC' }] };
      const since = lastSeq(h.sim);
      const created = await proxyPost(h, t.id, 'cgi-bin/menu/create').send(menu).expect(200);
      expect(created.body).toEqual({ errcode: 0, errmsg: 'ok' });
      expect(h.sim.calls({ api: 'menu/create', since })[0].bodySha256).toBe(sha256(JSON.stringify(menu)));
      const read = await proxyGet(h, t.id, 'cgi-bin/menu/get').expect(200);
      expect(read.body).toEqual({ menu });
    });

    it('a media upload: the multipart body and its boundary arrive byte for byte', async () => {
      const file = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(256 * 1024, 7), Buffer.from('\r\n--x')]);
      const boundary = '----wtgtestboundary';
      const body = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
        ),
        file,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const since = lastSeq(h.sim);
      const res = await proxyPost(h, t.id, 'cgi-bin/media/upload?type=image')
        .set('Content-Type', `multipart/form-data; boundary=${boundary}`)
        .send(body)
        .expect(200);
      expect(res.body).toMatchObject({ type: 'image', media_id: expect.any(String), created_at: expect.any(Number) });
      const [call] = h.sim.calls({ api: 'media/upload', since });
      expect(call.bodySha256).toBe(sha256(body));
      expect(call.contentType).toBe(`multipart/form-data; boundary=${boundary}`);
    });

    it('bodies over 10 MB: 413 PAYLOAD_TOO_LARGE, nothing sent', async () => {
      const since = lastSeq(h.sim);
      const res = await proxyPost(h, t.id, 'cgi-bin/media/upload?type=image')
        .set('Content-Type', 'multipart/form-data; boundary=x')
        .send(Buffer.alloc(10 * 1024 * 1024 + 1, 1));
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(h.sim.calls({ since })).toHaveLength(0);
    });

    it('an errcode reply is handed on verbatim with HTTP 200 and its errcode in the header', async () => {
      const res = await proxyGet(h, t.id, 'cgi-bin/user/info?openid=stranger').expect(200);
      expect(res.body).toMatchObject({ errcode: 40003 });
      expect(res.headers['wtg-wechat-errcode']).toBe('40003');
    });

    it('audits each call (path, errcode, durationMs, actor, request id; no body, no token)', async () => {
      const token = await currentToken(h, t.id);
      await proxyPost(h, t.id, 'cgi-bin/message/custom/send', t.apiKey)
        .set('x-request-id', 'req-audit-1')
        .send({ touser: t.followers[2], msgtype: 'text', text: { content: 'secret-body-text' } })
        .expect(200);
      const events = (await request(h.url).get(`/v1/tenants/${t.id}/audit-events`).set(bearer(h.operatorKey)).expect(200)).body
        .items;
      const event = events.find((e: { requestId: string }) => e.requestId === 'req-audit-1');
      expect(event).toMatchObject({ action: 'wechat.call', actor: 'tenant', path: 'cgi-bin/message/custom/send', errcode: 0 });
      expect(event.durationMs).toEqual(expect.any(Number));
      const rows = await sql(h, `SELECT * FROM audit_events WHERE tenant_id = $1`, [t.id]);
      const text = JSON.stringify(rows);
      expect(text).not.toContain('secret-body-text');
      expect(text).not.toContain(token);
      expect(h.logs.text()).not.toContain(token);
      expect(h.logs.text()).not.toContain('secret-body-text');
    });

    it('counts calls in /metrics with the path as api', async () => {
      await proxyGet(h, t.id, 'cgi-bin/menu/get').expect(200);
      const metrics = (await request(h.url).get('/metrics').expect(200)).text;
      expect(metrics).toMatch(/^wechat_api_calls_total\{api="cgi-bin\/menu\/get",outcome="ok"\} [1-9]\d*$/m);
    });
  });

  describe('the gate refuses without calling WeChat', () => {
    it('an unlisted path: 403 API_NOT_ALLOWED; an extra path is let through ungated', async () => {
      const since = lastSeq(h.sim);
      const res = await proxyPost(h, t.id, 'cgi-bin/component/api_component_token').send({}).expect(403);
      expect(res.body.error).toMatchObject({ code: 'API_NOT_ALLOWED', requestId: expect.any(String) });
      await proxyGet(h, t.id, 'cgi-bin/user/../component/x').expect((r) => expect([403, 404]).toContain(r.status));
      await proxyGet(h, t.id, 'cgi-bin%2Fuser%2Finfo').expect(403);
      expect(h.sim.calls({ since })).toHaveLength(0);
      // Allowed by WECHAT_PROXY_EXTRA_PATHS: it reaches WeChat (the simulator has no such API: its 404 is WeChat's answer).
      await proxyPost(h, t.id, 'cgi-bin/shorturl').send({ action: 'long2short' }).expect(200);
      expect(h.sim.calls({ since }).map((c) => c.path)).toEqual(['/cgi-bin/shorturl']);
    });

    it('a missing permission set: 403 PERMISSION_SET_MISSING with required and granted', async () => {
      const since = lastSeq(h.sim);
      const res = await proxyPost(h, t.id, 'cgi-bin/qrcode/create').send({ action_name: 'QR_LIMIT_SCENE' }).expect(403);
      expect(res.body.error).toMatchObject({
        code: 'PERMISSION_SET_MISSING',
        details: { required: [3], granted: [1, 2, 11, 15] },
      });
      const mass = await proxyPost(h, t.id, 'cgi-bin/message/template/send').send({}).expect(403);
      expect(mass.body.error.details.required).toEqual([7]);
      expect(h.sim.calls({ since })).toHaveLength(0);
    });

    it('an unverified account: 403 ACCOUNT_NOT_VERIFIED only where the table says verified-only', async () => {
      const u = await onboardTenant(h, { permissionSets: [2], verified: false, followers: 1 });
      const since = lastSeq(h.sim);
      const res = await proxyPost(h, u.id, 'cgi-bin/tags/members/batchblacklist').send({ openid_list: u.followers }).expect(403);
      expect(res.body.error.code).toBe('ACCOUNT_NOT_VERIFIED');
      expect(h.sim.calls({ since, api: 'tags/members/batchblacklist' })).toHaveLength(0);
      await proxyGet(h, u.id, `cgi-bin/user/info?openid=${u.followers[0]}`).expect(200);
    });

    it('a tenant that is not active: 409 TENANT_NOT_ACTIVE', async () => {
      const pending = await createTenant(h, 'Pending');
      const since = lastSeq(h.sim);
      const res = await proxyGet(h, pending.id, 'cgi-bin/user/get').expect(409);
      expect(res.body.error.code).toBe('TENANT_NOT_ACTIVE');
      expect(h.sim.calls({ since })).toHaveLength(0);
    });

    it('other tenants’ keys: 404 TENANT_NOT_FOUND, no key: 401', async () => {
      const other = await createTenant(h, 'Other');
      await proxyGet(h, t.id, 'cgi-bin/user/get', other.apiKey).expect(404);
      await request(h.url).post(`/v1/tenants/${t.id}/wechat/cgi-bin/menu/create`).send({}).expect(401);
    });
  });

  describe('token discipline and resends', () => {
    it('40001: one refresh, one retry, and the new token is used', async () => {
      const before = await currentToken(h, t.id);
      const since = lastSeq(h.sim);
      h.sim.addFault({ api: 'user/info', type: 'errcode', errcode: 40001, count: 1, appId: t.appId });
      await proxyGet(h, t.id, `cgi-bin/user/info?openid=${t.followers[0]}`).expect(200);
      const calls = h.sim.calls({ api: 'user/info', since });
      expect(calls).toHaveLength(2);
      expect(authorizerRefreshes(h, since)).toBe(1);
      const after = await currentToken(h, t.id);
      expect(after).not.toBe(before);
      expect(calls.map((c) => c.query.access_token)).toEqual([masked(before), masked(after)]);
    });

    it('a write is not resent after -1 (WeChat may have sent the message); a read is', async () => {
      let since = lastSeq(h.sim);
      h.sim.addFault({ api: 'message/custom/send', type: 'errcode', errcode: -1, count: 1, appId: t.appId });
      const res = await proxyPost(h, t.id, 'cgi-bin/message/custom/send')
        .send({ touser: t.followers[0], msgtype: 'text', text: { content: 'once' } })
        .expect(200);
      expect(res.headers['wtg-wechat-errcode']).toBe('-1');
      expect(h.sim.calls({ api: 'message/custom/send', since })).toHaveLength(1);

      since = lastSeq(h.sim);
      h.sim.addFault({ api: 'menu/get', type: 'errcode', errcode: -1, count: 1, appId: t.appId });
      const read = await proxyGet(h, t.id, 'cgi-bin/menu/get').expect(200);
      expect(read.headers['wtg-wechat-errcode']).toBe('0');
      expect(h.sim.calls({ api: 'menu/get', since })).toHaveLength(2);
    });

    it('an HTTP 500 on a write: 502 WECHAT_UNAVAILABLE after one attempt', async () => {
      const since = lastSeq(h.sim);
      h.sim.addFault({ api: 'menu/create', type: 'http500', count: 2, appId: t.appId });
      const res = await proxyPost(h, t.id, 'cgi-bin/menu/create').send({ button: [{ type: 'click', name: 'x', key: 'k' }] });
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('WECHAT_UNAVAILABLE');
      expect(h.sim.calls({ api: 'menu/create', since })).toHaveLength(1);
    });

    it('45009: 429 QUOTA_EXCEEDED with Retry-After, then that path is blocked for the tenant without calling', async () => {
      const q = await onboardTenant(h, { permissionSets: [2, 15], followers: 1 });
      h.sim.setQuota({ api: 'menu/get', daily: 0, appId: q.appId });
      const since = lastSeq(h.sim);
      const res = await proxyGet(h, q.id, 'cgi-bin/menu/get').expect(429);
      expect(res.body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', details: { api: 'cgi-bin/menu/get' } });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      await proxyGet(h, q.id, 'cgi-bin/menu/get').expect(429);
      expect(h.sim.calls({ api: 'menu/get', since })).toHaveLength(1);
      // Other paths of the tenant, and the same path of other tenants, still go through.
      await proxyGet(h, q.id, `cgi-bin/user/info?openid=${q.followers[0]}`).expect(200);
      await proxyGet(h, t.id, 'cgi-bin/menu/get').expect(200);
    });

    it('61007: permission sets re-read from WeChat, then 403 PERMISSION_SET_MISSING', async () => {
      const p = await onboardTenant(h, { permissionSets: [1, 2, 15], followers: 1 });
      // The merchant took set 15 away at WeChat; the gateway has not heard yet.
      h.sim.updateAuthorizer(p.appId, { permissionSets: [1, 2] });
      const res = await proxyGet(h, p.id, 'cgi-bin/menu/get').expect(403);
      expect(res.body.error).toMatchObject({ code: 'PERMISSION_SET_MISSING', details: { required: [15], granted: [1, 2] } });
    });

    it('61023 on refresh: 409 TENANT_NOT_ACTIVE and the tenant needs re-authorization', async () => {
      const r = await onboardTenant(h, { permissionSets: [2], followers: 1 });
      await sql(h, `UPDATE authorizers SET access_token_expires_at = now() WHERE tenant_id = $1`, [r.id]);
      h.sim.addFault({ api: 'component/api_authorizer_token', type: 'errcode', errcode: 61023, count: 1 });
      const res = await proxyGet(h, r.id, `cgi-bin/user/info?openid=${r.followers[0]}`).expect(409);
      expect(res.body.error.code).toBe('TENANT_NOT_ACTIVE');
      const view = await request(h.url).get(`/v1/tenants/${r.id}`).set(bearer(h.operatorKey)).expect(200);
      expect(view.body.status).toBe('reauthorization_required');
    });
  });
});

describe('OpenAPI', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('documents the proxy, the token hand-out and the token keys routes', async () => {
    const paths = (await request(h.url).get('/docs-json').expect(200)).body.paths;
    expect(Object.keys(paths['/v1/tenants/{tenantId}/wechat/{path}']).sort()).toEqual(['get', 'post']);
    for (const path of [
      '/v1/tenants/{tenantId}/authorizer-token',
      '/v1/tenants/{tenantId}/authorizer-token/invalidations',
      '/v1/component/access-token',
      '/v1/component/access-token/invalidations',
      '/v1/tenants/{tenantId}/token-keys',
      '/v1/tenants/{tenantId}/token-keys/{keyId}',
    ]) {
      expect(paths[path]).toBeDefined();
    }
  });
});
