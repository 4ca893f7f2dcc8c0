import { findFreePort } from '@app/database';
import { startWeChatSimulator, type WeChatSimulator } from '@app/wechat-sim';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import request from 'supertest';
import { randomComponent, type Harness } from './support/gateway-harness';
import { BATCH_BLOCK, bearer, blacklistCalls, lastSeq, sleep } from './support/blacklist-helpers';
import { onboardTenant, sql, type OnboardedTenant } from './support/onboarding';
import { createTestDatabase } from './support/test-database';
import { BUILT_GATEWAY, spawnGateway, type SpawnedGateway, wechatEnvFor } from './support/production-env';

/** The bound the issue sets: a change made through one instance holds on every instance within 1 s. */
const WITHIN_MS = 1_000;

/**
 * Each instance keeps per-process copies of what every block call reads (the caller's key, the
 * tenant's status, permission sets and token, its quota blocks). A change made on instance A,
 * or written straight into the database, must hold on instance B within 1 s, where B has just
 * served the tenant (its copies are warm).
 */
describe('changes reach every instance within 1 s (two built gateways, one database)', () => {
  let sim: WeChatSimulator;
  let a: { url: string; g: SpawnedGateway };
  let b: { url: string; g: SpawnedGateway };
  let h: Harness;
  let operatorKey: string;

  async function start(env: Record<string, string>) {
    const port = await findFreePort();
    const url = `http://127.0.0.1:${port}`;
    return { url, g: await spawnGateway({ ...env, PORT: String(port), PUBLIC_BASE_URL: url }, url) };
  }

  beforeAll(async () => {
    if (!existsSync(BUILT_GATEWAY)) throw new Error(`${BUILT_GATEWAY} is missing: run "npm run build" first (npm test does)`);
    const component = randomComponent();
    sim = await startWeChatSimulator({ ...component, port: 0, pushTicketOnStart: false });
    const databaseUrl = await createTestDatabase();
    operatorKey = `op_cp_${randomBytes(16).toString('hex')}`;
    const env = {
      DATABASE_URL: databaseUrl,
      OPERATOR_API_KEYS: operatorKey,
      SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ...wechatEnvFor(component, sim.url),
      LOG_LEVEL: 'warn',
    };
    [a, b] = await Promise.all([start(env), start(env)]);
    sim.setEventUrl(`${a.url}/wechat/component/events`);
    await sim.pushTicket();
    h = { url: a.url, sim, operatorKey, databaseUrl } as unknown as Harness;
  }, 90_000);

  afterAll(async () => {
    for (const x of [a, b]) {
      if (x?.g.child.exitCode === null) x.g.child.kill('SIGKILL');
      await x?.g.exited;
    }
    await sim?.close();
  });

  const block = (url: string, t: OnboardedTenant, key = t.apiKey, openid = t.followers[0]) =>
    request(url)
      .post(`/v1/tenants/${t.id}/blacklist/block`)
      .set(bearer(key))
      .send({ openids: [openid] });

  /** Warms B's copies for `t`, then returns how long after `change()` B first answers `expected`. */
  async function timeToTakeEffect(
    t: OnboardedTenant,
    change: () => Promise<unknown>,
    probe: () => Promise<{ status: number; body: { error?: { code?: string } } }>,
    expected: { status: number; code?: string },
  ): Promise<number> {
    for (let i = 0; i < 3; i++) expect((await block(b.url, t)).status).toBe(200);
    await change();
    const started = Date.now();
    for (;;) {
      const r = await probe();
      if (r.status === expected.status && (expected.code === undefined || r.body.error?.code === expected.code))
        return Date.now() - started;
      if (Date.now() - started > 5_000) throw new Error(`after 5 s B still answers ${r.status} ${JSON.stringify(r.body)}`);
      await sleep(20);
    }
  }

  it('a replaced tenant key stops working on B, and the new one works there', async () => {
    const t = await onboardTenant(h, { followers: 5 });
    let newKey = '';
    const ms = await timeToTakeEffect(
      t,
      async () => {
        const r = await request(a.url).post(`/v1/tenants/${t.id}/api-keys`).set(bearer(operatorKey)).expect(201);
        newKey = r.body.apiKey;
      },
      () => block(b.url, t),
      { status: 401 },
    );
    expect(ms).toBeLessThanOrEqual(WITHIN_MS);
    expect((await block(b.url, t, newKey)).status).toBe(200);
  }, 60_000);

  it('a deleted tenant is gone on B (its key no longer authenticates)', async () => {
    const t = await onboardTenant(h, { followers: 5 });
    const ms = await timeToTakeEffect(
      t,
      () => request(a.url).delete(`/v1/tenants/${t.id}`).set(bearer(operatorKey)).expect(204),
      () => block(b.url, t),
      { status: 401 },
    );
    expect(ms).toBeLessThanOrEqual(WITHIN_MS);
    // The operator sees it gone on B too.
    await request(b.url).get(`/v1/tenants/${t.id}`).set(bearer(operatorKey)).expect(404);
  }, 60_000);

  it('a permission set withdrawn in the database is enforced on B without calling WeChat', async () => {
    const t = await onboardTenant(h, { followers: 5 });
    let since = 0;
    const ms = await timeToTakeEffect(
      t,
      async () => {
        since = lastSeq(sim);
        // What processing an updateauthorized push on another instance writes.
        await sql(h, `UPDATE authorizers SET permission_sets = '{1}' WHERE tenant_id = $1`, [t.id]);
      },
      () => block(b.url, t),
      { status: 403, code: 'PERMISSION_SET_MISSING' },
    );
    expect(ms).toBeLessThanOrEqual(WITHIN_MS);
    const after = lastSeq(sim);
    expect((await block(b.url, t)).body.error.code).toBe('PERMISSION_SET_MISSING');
    // Calls made before B saw the change may have reached WeChat; none after it.
    expect(blacklistCalls(sim, t.appId, after).length).toBe(0);
    expect(since).toBeGreaterThan(0);
  }, 60_000);

  it('a revoked tenant (status change) answers TENANT_NOT_ACTIVE on B', async () => {
    const t = await onboardTenant(h, { followers: 5 });
    const ms = await timeToTakeEffect(
      t,
      () => sql(h, `UPDATE tenants SET status = 'revoked' WHERE id = $1`, [t.id]),
      () => block(b.url, t),
      { status: 409, code: 'TENANT_NOT_ACTIVE' },
    );
    expect(ms).toBeLessThanOrEqual(WITHIN_MS);
  }, 60_000);

  it('B hears of a change by notice, not by its copies expiring: well under the 1 s expiry of copies just read', async () => {
    const t = await onboardTenant(h, { followers: 5 });
    // timeToTakeEffect reads on B right before the change, so B's copies have almost 1 s to live:
    // only the database's notice can make B see the change sooner than that.
    const ms = await timeToTakeEffect(
      t,
      () => sql(h, `UPDATE authorizers SET permission_sets = '{1}' WHERE tenant_id = $1`, [t.id]),
      () => block(b.url, t),
      { status: 403, code: 'PERMISSION_SET_MISSING' },
    );
    expect(ms).toBeLessThan(WITHIN_MS / 2);
  }, 60_000);

  it('a daily-quota block learnt on A stops B from calling WeChat', async () => {
    const t = await onboardTenant(h, { followers: 5 });
    const ms = await timeToTakeEffect(
      t,
      async () => {
        sim.addFault({ api: BATCH_BLOCK, type: 'errcode', errcode: 45009, count: 1, appId: t.appId });
        expect((await block(a.url, t)).status).toBe(429);
      },
      () => block(b.url, t),
      { status: 429, code: 'QUOTA_EXCEEDED' },
    );
    expect(ms).toBeLessThanOrEqual(WITHIN_MS);
    const after = lastSeq(sim);
    expect((await block(b.url, t)).status).toBe(429);
    expect(blacklistCalls(sim, t.appId, after).length).toBe(0);
  }, 60_000);

  it('a token refreshed on A is the one B sends next', async () => {
    const t = await onboardTenant(h, { followers: 5 });
    const tag = (token: string) => `***${createHash('sha256').update(token).digest('hex').slice(0, 8)}`;
    const tokenKey = (
      await request(a.url).post(`/v1/tenants/${t.id}/token-keys`).set(bearer(operatorKey)).send({ name: 'svc' }).expect(201)
    ).body.apiKey as string;
    const old = (await request(a.url).get(`/v1/tenants/${t.id}/authorizer-token`).set(bearer(tokenKey)).expect(200)).body
      .accessToken;
    for (let i = 0; i < 3; i++) expect((await block(b.url, t)).status).toBe(200);
    expect(blacklistCalls(sim, t.appId).at(-1)!.query.access_token).toBe(tag(old));
    // A service reports the token rejected: A refreshes it (one api_authorizer_token).
    const fresh = (
      await request(a.url)
        .post(`/v1/tenants/${t.id}/authorizer-token/invalidations`)
        .set(bearer(tokenKey))
        .send({ accessToken: old })
        .expect(200)
    ).body.accessToken as string;
    expect(fresh).not.toBe(old);
    await sleep(WITHIN_MS);
    const since = lastSeq(sim);
    expect((await block(b.url, t)).status).toBe(200);
    const sent = blacklistCalls(sim, t.appId, since);
    expect(sent.length).toBe(1);
    expect(sent[0].query.access_token).toBe(tag(fresh));
  }, 60_000);

  it("a tenant's view read on B (GET /v1/tenants/:id, served from B's copy) shows a change made on A by notice", async () => {
    const t = await onboardTenant(h, { followers: 5 });
    const view = () => request(b.url).get(`/v1/tenants/${t.id}`).set(bearer(operatorKey));
    const origin = `https://shop-${randomBytes(4).toString('hex')}.example`;
    for (let i = 0; i < 3; i++) expect((await view()).body.webOAuthOrigins).toEqual([]);
    await request(a.url)
      .patch(`/v1/tenants/${t.id}`)
      .set(bearer(operatorKey))
      .send({ webOAuthOrigins: [origin] })
      .expect(200);
    const started = Date.now();
    let r = await view();
    while (r.body.webOAuthOrigins?.[0] !== origin && Date.now() - started < 5_000) {
      await sleep(20);
      r = await view();
    }
    expect(r.body.webOAuthOrigins).toEqual([origin]);
    expect(Date.now() - started).toBeLessThan(WITHIN_MS / 2);
    // An account change written straight into the database reaches the view too.
    await sql(h, `UPDATE authorizers SET nick_name = 'Renamed in the database' WHERE tenant_id = $1`, [t.id]);
    const since = Date.now();
    while ((await view()).body.authorizer?.nickName !== 'Renamed in the database') {
      expect(Date.now() - since).toBeLessThan(WITHIN_MS / 2);
      await sleep(20);
    }
  }, 60_000);
});
