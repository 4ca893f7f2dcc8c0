import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, createTenant, onboardTenant, sql, type OnboardedTenant } from './support/onboarding';
import { lastSeq } from './support/blacklist-helpers';

const FIVE_MINUTES_MS = 5 * 60_000;
const tokenRoute = (tenantId: string) => `/v1/tenants/${tenantId}/authorizer-token`;
const invalidations = (tenantId: string) => `/v1/tenants/${tenantId}/authorizer-token/invalidations`;
const refreshCalls = (h: Harness, appId: string, since: number) =>
  h.sim.calls({ api: 'component/api_authorizer_token', appId, since }).length;

async function issueTokenKey(h: Harness, tenantId: string, name = 'billing service') {
  const res = await request(h.url)
    .post(`/v1/tenants/${tenantId}/token-keys`)
    .set(bearer(h.operatorKey))
    .send({ name })
    .expect(201);
  return res.body as { id: string; name: string; apiKey: string; createdAt: string };
}

describe('token hand-out and token keys (simulator over HTTP)', () => {
  let h: Harness;
  let t: OnboardedTenant;

  beforeAll(async () => {
    h = await startHarness();
    await h.sim.pushTicket();
    t = await onboardTenant(h, { permissionSets: [2], followers: 1 });
  });
  afterAll(() => h.close());
  afterEach(() => h.sim.clearFaults());

  describe('GET /v1/tenants/:tenantId/authorizer-token', () => {
    it('hands out the stored token (not cached anywhere), audited without the token', async () => {
      const res = await request(h.url)
        .get(tokenRoute(t.id))
        .set(bearer(h.operatorKey))
        .set('x-request-id', 'req-read-1')
        .expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({ appId: t.appId, accessToken: expect.any(String), expiresAt: expect.any(String) });
      expect(new Date(res.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(FIVE_MINUTES_MS);
      // The token works at WeChat.
      await request(h.sim.url)
        .get(`/cgi-bin/user/info?access_token=${res.body.accessToken}&openid=${t.followers[0]}`)
        .expect((r) => expect(r.body.subscribe).toBe(1));
      const events = (await request(h.url).get(`/v1/tenants/${t.id}/audit-events`).set(bearer(h.operatorKey)).expect(200)).body
        .items;
      expect(events.find((e: { requestId: string }) => e.requestId === 'req-read-1')).toMatchObject({
        action: 'authorizer_token.read',
        actor: 'operator',
      });
      const rows = JSON.stringify(await sql(h, `SELECT * FROM audit_events WHERE tenant_id = $1`, [t.id]));
      expect(rows).not.toContain(res.body.accessToken);
      expect(h.logs.text()).not.toContain(res.body.accessToken);
    });

    it('never hands out a token with under 5 minutes left: it is refreshed first', async () => {
      const before = (await request(h.url).get(tokenRoute(t.id)).set(bearer(h.operatorKey)).expect(200)).body;
      await sql(h, `UPDATE authorizers SET access_token_expires_at = now() + interval '4 minutes' WHERE tenant_id = $1`, [t.id]);
      const since = lastSeq(h.sim);
      const after = (await request(h.url).get(tokenRoute(t.id)).set(bearer(h.operatorKey)).expect(200)).body;
      expect(after.accessToken).not.toBe(before.accessToken);
      expect(new Date(after.expiresAt).getTime() - Date.now()).toBeGreaterThan(FIVE_MINUTES_MS);
      expect(refreshCalls(h, t.appId, since)).toBe(1);
    });

    it('a tenant that is not active: 409 TENANT_NOT_ACTIVE', async () => {
      const pending = await createTenant(h, 'Pending');
      const res = await request(h.url).get(tokenRoute(pending.id)).set(bearer(h.operatorKey)).expect(409);
      expect(res.body.error.code).toBe('TENANT_NOT_ACTIVE');
    });
  });

  describe('POST …/authorizer-token/invalidations', () => {
    it('a burst of 100 invalidations of the current token costs exactly one refresh; all get the new token', async () => {
      const old = (await request(h.url).get(tokenRoute(t.id)).set(bearer(h.operatorKey)).expect(200)).body.accessToken;
      const since = lastSeq(h.sim);
      const replies = await Promise.all(
        Array.from({ length: 100 }, () =>
          request(h.url).post(invalidations(t.id)).set(bearer(h.operatorKey)).send({ accessToken: old }),
        ),
      );
      expect(replies.map((r) => r.status)).toEqual(Array(100).fill(200));
      const tokens = new Set(replies.map((r) => r.body.accessToken));
      expect(tokens.size).toBe(1);
      expect(tokens.has(old)).toBe(false);
      expect(replies[0].headers['cache-control']).toBe('no-store');
      expect(refreshCalls(h, t.appId, since)).toBe(1);
    });

    it('a token that is no longer the stored one: the current token, without calling WeChat', async () => {
      const current = (await request(h.url).get(tokenRoute(t.id)).set(bearer(h.operatorKey)).expect(200)).body.accessToken;
      const since = lastSeq(h.sim);
      const res = await request(h.url)
        .post(invalidations(t.id))
        .set(bearer(h.operatorKey))
        .send({ accessToken: 'an-old-token' })
        .expect(200);
      expect(res.body.accessToken).toBe(current);
      expect(h.sim.calls({ since })).toHaveLength(0);
    });

    it('validates its body', async () => {
      const res = await request(h.url).post(invalidations(t.id)).set(bearer(h.operatorKey)).send({}).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });

    it('two gateways on one database: a burst across both still costs one refresh', async () => {
      const second = await startHarness({
        databaseUrl: h.databaseUrl,
        simulator: h.sim,
        config: (c) => ({ ...c, operatorApiKeys: [h.operatorKey], secretsKey: h.config.secretsKey }),
      });
      try {
        const old = (await request(h.url).get(tokenRoute(t.id)).set(bearer(h.operatorKey)).expect(200)).body.accessToken;
        const since = lastSeq(h.sim);
        const replies = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            request(i % 2 ? second.url : h.url)
              .post(invalidations(t.id))
              .set(bearer(h.operatorKey))
              .send({ accessToken: old }),
          ),
        );
        expect(replies.map((r) => r.status)).toEqual(Array(100).fill(200));
        expect(new Set(replies.map((r) => r.body.accessToken)).size).toBe(1);
        expect(refreshCalls(h, t.appId, since)).toBe(1);
      } finally {
        await second.close();
      }
    });
  });

  describe('token keys', () => {
    it('are issued once (wtt_…), listed without secrets, and revoked at once', async () => {
      const key = await issueTokenKey(h, t.id);
      expect(key).toEqual({
        id: expect.any(String),
        keyId: key.id,
        name: 'billing service',
        apiKey: expect.stringMatching(/^wtt_[A-Za-z0-9_-]{32,}$/),
        createdAt: expect.any(String),
      });
      const list = await request(h.url).get(`/v1/tenants/${t.id}/token-keys`).set(bearer(h.operatorKey)).expect(200);
      expect(list.body.items).toContainEqual({ id: key.id, name: 'billing service', createdAt: key.createdAt });
      expect(JSON.stringify(list.body)).not.toContain(key.apiKey);
      const stored = await sql(h, `SELECT key_hash FROM token_keys WHERE id = $1`, [key.id]);
      expect(JSON.stringify(stored)).not.toContain(key.apiKey.slice(4));

      await request(h.url).get(tokenRoute(t.id)).set(bearer(key.apiKey)).expect(200);
      await request(h.url).delete(`/v1/tenants/${t.id}/token-keys/${key.id}`).set(bearer(h.operatorKey)).expect(204);
      const after = await request(h.url).get(tokenRoute(t.id)).set(bearer(key.apiKey)).expect(401);
      expect(after.body.error.code).toBe('UNAUTHENTICATED');
      await request(h.url).delete(`/v1/tenants/${t.id}/token-keys/${key.id}`).set(bearer(h.operatorKey)).expect(404);
      await request(h.url).delete(`/v1/tenants/${t.id}/token-keys/not-a-uuid`).set(bearer(h.operatorKey)).expect(404);
    });

    it('read their tenant’s token (audited with the key), and nothing else', async () => {
      const key = await issueTokenKey(h, t.id, 'reader');
      const other = await onboardTenant(h, { permissionSets: [2] });
      const res = await request(h.url).get(tokenRoute(t.id)).set(bearer(key.apiKey)).set('x-request-id', 'req-key-1').expect(200);
      expect(res.body.appId).toBe(t.appId);
      await request(h.url).post(invalidations(t.id)).set(bearer(key.apiKey)).send({ accessToken: 'x' }).expect(200);

      // Their own tenant's other routes: 403 FORBIDDEN.
      for (const [method, path] of [
        ['get', `/v1/tenants/${t.id}`],
        ['get', `/v1/tenants/${t.id}/blacklist`],
        ['get', `/v1/tenants/${t.id}/audit-events`],
        ['get', `/v1/tenants/${t.id}/wechat/cgi-bin/user/get`],
        ['post', `/v1/tenants/${t.id}/wechat/cgi-bin/message/custom/send`],
        ['post', `/v1/tenants/${t.id}/api-keys`],
        ['post', `/v1/tenants/${t.id}/token-keys`],
        ['get', '/v1/component/access-token'],
        ['get', '/v1/tenants'],
      ] as const) {
        const r = await request(h.url)[method](path).set(bearer(key.apiKey)).send({});
        expect([path, r.status, r.body.error?.code]).toEqual([path, 403, 'FORBIDDEN']);
      }
      // Another tenant's routes: 404 TENANT_NOT_FOUND, as for any key.
      for (const path of [tokenRoute(other.id), `/v1/tenants/${other.id}`, `/v1/tenants/${other.id}/wechat/cgi-bin/user/get`]) {
        const r = await request(h.url).get(path).set(bearer(key.apiKey));
        expect([path, r.status, r.body.error?.code]).toEqual([path, 404, 'TENANT_NOT_FOUND']);
      }
      const events = (await request(h.url).get(`/v1/tenants/${t.id}/audit-events`).set(bearer(h.operatorKey)).expect(200)).body
        .items;
      expect(events.find((e: { requestId: string }) => e.requestId === 'req-key-1')).toMatchObject({
        action: 'authorizer_token.read',
        actor: 'token_key',
        tokenKeyId: key.id,
      });
      expect(h.logs.text()).not.toContain(key.apiKey);
    });

    it('a tenant’s ordinary key cannot read tokens (403) nor manage token keys', async () => {
      const res = await request(h.url).get(tokenRoute(t.id)).set(bearer(t.apiKey)).expect(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
      await request(h.url).post(invalidations(t.id)).set(bearer(t.apiKey)).send({ accessToken: 'x' }).expect(403);
      await request(h.url).post(`/v1/tenants/${t.id}/token-keys`).set(bearer(t.apiKey)).send({ name: 'x' }).expect(403);
      await request(h.url).get(`/v1/tenants/${t.id}/token-keys`).set(bearer(t.apiKey)).expect(403);
    });

    it('stop working when their tenant is deleted; unknown tenants are 404', async () => {
      const gone = await onboardTenant(h, { permissionSets: [2] });
      const key = await issueTokenKey(h, gone.id);
      await request(h.url).delete(`/v1/tenants/${gone.id}`).set(bearer(h.operatorKey)).expect(204);
      await request(h.url).get(tokenRoute(gone.id)).set(bearer(key.apiKey)).expect(401);
      await request(h.url).post(`/v1/tenants/${gone.id}/token-keys`).set(bearer(h.operatorKey)).send({ name: 'x' }).expect(404);
      await request(h.url).get(tokenRoute(gone.id)).set(bearer(h.operatorKey)).expect(404);
    });
  });

  describe('GET /v1/component/access-token', () => {
    it('operator only; at least 5 minutes left; invalidation replaces it once', async () => {
      const res = await request(h.url).get('/v1/component/access-token').set(bearer(h.operatorKey)).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        componentAppId: h.config.wechat.componentAppId,
        accessToken: expect.any(String),
        expiresAt: expect.any(String),
      });
      expect(new Date(res.body.expiresAt).getTime() - Date.now()).toBeGreaterThan(FIVE_MINUTES_MS);
      await request(h.url).get('/v1/component/access-token').set(bearer(t.apiKey)).expect(403);

      const since = lastSeq(h.sim);
      const replies = await Promise.all(
        Array.from({ length: 20 }, () =>
          request(h.url)
            .post('/v1/component/access-token/invalidations')
            .set(bearer(h.operatorKey))
            .send({ accessToken: res.body.accessToken }),
        ),
      );
      expect(new Set(replies.map((r) => r.body.accessToken)).size).toBe(1);
      expect(replies[0].body.accessToken).not.toBe(res.body.accessToken);
      expect(h.sim.calls({ api: 'component/api_component_token', since })).toHaveLength(1);
      expect(h.logs.text()).not.toContain(res.body.accessToken);
    });
  });
});
