import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { createTenant, onboardTenant, sql } from './support/onboarding';
import {
  appliedOpenids,
  BATCH_BLOCK,
  BATCH_UNBLOCK,
  bearer,
  blacklistCalls,
  GET_BLACKLIST,
  lastSeq,
  openidsOf,
  strangers,
  waitForJob,
} from './support/blacklist-helpers';
import { IdempotencyKeysSweep } from '../apps/gateway/src/idempotency/idempotency-keys-sweep.schedule';
import { QuotaBlocksSweep } from '../apps/gateway/src/tenant-calls/quota-blocks-sweep.schedule';

const block = (h: Harness, tenantId: string, openids: unknown, key = h.operatorKey) =>
  request(h.url).post(`/v1/tenants/${tenantId}/blacklist/block`).set(bearer(key)).send({ openids });
const unblock = (h: Harness, tenantId: string, openids: unknown, key = h.operatorKey) =>
  request(h.url).post(`/v1/tenants/${tenantId}/blacklist/unblock`).set(bearer(key)).send({ openids });

/** succeeded, invalid and failed partition the distinct openids exactly. */
function expectPartition(
  body: { total: number; succeeded: string[]; invalid: string[]; failed: { openid: string }[] },
  distinct: string[],
) {
  const all = [...body.succeeded, ...body.invalid, ...body.failed.map((f) => f.openid)];
  expect(body.total).toBe(distinct.length);
  expect(all).toHaveLength(distinct.length);
  expect(new Set(all)).toEqual(new Set(distinct));
}

describe('blacklist: synchronous block / unblock and the blacklist page (simulator over HTTP)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.sim.pushTicket();
  });
  afterAll(() => h.close());
  afterEach(() => h.sim.clearFaults());

  describe('block and unblock', () => {
    it('blocks in batches of at most 20 and reports every openid succeeded', async () => {
      const t = await onboardTenant(h, { followers: 45 });
      const since = lastSeq(h.sim);
      const res = await block(h, t.id, t.followers).expect(200);
      expect(res.body).toEqual({ action: 'block', total: 45, succeeded: t.followers, invalid: [], failed: [] });
      const calls = h.sim.calls({ api: BATCH_BLOCK, appId: t.appId, since });
      expect(calls.map((c) => openidsOf(c).length).sort((a, b) => a - b)).toEqual([5, 20, 20]);
      expect(h.sim.getAuthorizer(t.appId).blacklist).toEqual([...t.followers].sort());
    });

    it('counts every WeChat call in /metrics by API and outcome', async () => {
      const count = async (api: string, outcome: string) => {
        const text = (await request(h.url).get('/metrics').expect(200)).text;
        const m = new RegExp(`^wechat_api_calls_total\\{api="${api}",outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text);
        return m ? Number(m[1]) : 0;
      };
      const t = await onboardTenant(h, { followers: 41 });
      const before = await count('batchblacklist', 'ok');
      await block(h, t.id, t.followers).expect(200);
      expect((await count('batchblacklist', 'ok')) - before).toBe(3);
      h.sim.addFault({ api: BATCH_BLOCK, type: 'errcode', errcode: 48001, count: 1, appId: t.appId });
      const errorsBefore = await count('batchblacklist', 'api-error');
      await block(h, t.id, t.followers.slice(0, 1)).expect(200);
      expect((await count('batchblacklist', 'api-error')) - errorsBefore).toBe(1);
    });

    it('collapses duplicates: total counts distinct openids, each sent once', async () => {
      const t = await onboardTenant(h, { followers: 3 });
      const [a, b, c] = t.followers;
      const since = lastSeq(h.sim);
      const res = await block(h, t.id, [a, b, a, c, b, a]).expect(200);
      expect(res.body.total).toBe(3);
      expect(res.body.succeeded).toEqual([a, b, c]);
      expect(appliedOpenids(h.sim, BATCH_BLOCK, t.appId, since).sort()).toEqual([a, b, c].sort());
    });

    it('unblocks with batchunblacklist', async () => {
      const t = await onboardTenant(h, { followers: 25 });
      h.sim.updateAuthorizer(t.appId, { blacklist: t.followers });
      const since = lastSeq(h.sim);
      const res = await unblock(h, t.id, t.followers.slice(0, 22)).expect(200);
      expect(res.body).toMatchObject({ action: 'unblock', total: 22, invalid: [], failed: [] });
      expect(res.body.succeeded).toHaveLength(22);
      expect(h.sim.getAuthorizer(t.appId).blacklist).toEqual(t.followers.slice(22).sort());
      expect(
        h.sim
          .calls({ api: BATCH_UNBLOCK, appId: t.appId, since })
          .map((c) => openidsOf(c).length)
          .sort((x, y) => x - y),
      ).toEqual([2, 20]);
      expect(h.sim.calls({ api: BATCH_BLOCK, appId: t.appId, since })).toHaveLength(0);
    });

    it('invalid openids mixed in: the batch is split until every valid openid is blocked and only bad ones are invalid', async () => {
      const t = await onboardTenant(h, { followers: 50 });
      const bad = strangers(3, `bad${t.appId.slice(-4)}`);
      // Bad ones at the start, middle and end of different batches.
      const openids = [bad[0], ...t.followers.slice(0, 25), bad[1], ...t.followers.slice(25), bad[2]];
      const since = lastSeq(h.sim);
      const res = await block(h, t.id, openids).expect(200);
      expectPartition(res.body, openids);
      expect(res.body.invalid.sort()).toEqual([...bad].sort());
      expect(res.body.failed).toEqual([]);
      expect(res.body.succeeded).toEqual(t.followers);
      expect(h.sim.getAuthorizer(t.appId).blacklist).toEqual([...t.followers].sort());
      const calls = h.sim.calls({ api: BATCH_BLOCK, appId: t.appId, since });
      expect(calls.every((c) => openidsOf(c).length <= 20)).toBe(true);
      expect(calls.filter((c) => c.errcode === 40003).length).toBeGreaterThan(0);
      // Every valid openid was applied exactly once.
      expect(appliedOpenids(h.sim, BATCH_BLOCK, t.appId, since).sort()).toEqual([...t.followers].sort());
    });

    it("another account's openid (49003-like) ends invalid too", async () => {
      const a = await onboardTenant(h, { followers: 2 });
      const b = await onboardTenant(h, { followers: 2 });
      h.sim.addFault({ api: BATCH_BLOCK, type: 'errcode', errcode: 49003, count: 1, appId: a.appId });
      const res = await block(h, a.id, [a.followers[0], b.followers[0]]).expect(200);
      expect(res.body.invalid).toEqual([b.followers[0]]);
      expect(res.body.succeeded).toEqual([a.followers[0]]);
    });

    it("works with the tenant's own key", async () => {
      const t = await onboardTenant(h, { followers: 1 });
      const res = await block(h, t.id, t.followers, t.apiKey).expect(200);
      expect(res.body.succeeded).toEqual(t.followers);
    });
  });

  describe('validation (400 VALIDATION_FAILED naming the bad items, WeChat never called)', () => {
    let t: Awaited<ReturnType<typeof onboardTenant>>;
    beforeAll(async () => {
      t = await onboardTenant(h, { followers: 1 });
    });

    it.each([
      ['an empty list', []],
      ['1001 items', Array.from({ length: 1001 }, (_, i) => `o${i}`)],
      ['a missing list', undefined],
      ['a string instead of a list', 'oABC'],
    ])('%s', async (_name, openids) => {
      const since = lastSeq(h.sim);
      const res = await block(h, t.id, openids).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.fields[0].field).toBe('openids');
      expect(blacklistCalls(h.sim, t.appId, since)).toHaveLength(0);
    });

    it('bad items are named by index and value', async () => {
      const since = lastSeq(h.sim);
      const long = 'a'.repeat(65);
      const res = await block(h, t.id, ['good_1', 'bad id', long, 42, '', 'ok-2', 'semi;colon']).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.invalidItems.map((i: { index: number }) => i.index)).toEqual([1, 2, 3, 4, 6]);
      expect(res.body.error.details.invalidItems.map((i: { value: unknown }) => i.value)).toEqual([
        'bad id',
        long,
        42,
        '',
        'semi;colon',
      ]);
      expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual([
        'openids[1]',
        'openids[2]',
        'openids[3]',
        'openids[4]',
        'openids[6]',
      ]);
      expect(blacklistCalls(h.sim, t.appId, since)).toHaveLength(0);
    });

    it('1000 items of 64 characters are accepted; unknown properties are not', async () => {
      const ok = Array.from({ length: 1000 }, (_, i) => `${'x'.repeat(58)}${String(i).padStart(6, '0')}`);
      h.sim.updateAuthorizer(t.appId, { addFollowers: ok });
      const res = await block(h, t.id, ok).expect(200);
      expect(res.body.total).toBe(1000);
      expect(res.body.succeeded).toHaveLength(1000);
      const extra = await request(h.url)
        .post(`/v1/tenants/${t.id}/blacklist/block`)
        .set(bearer(h.operatorKey))
        .send({ openids: ['a'], force: true })
        .expect(400);
      expect(extra.body.error.details.fields[0].field).toBe('force');
    });
  });

  describe('the gate: checked from our records before any WeChat call', () => {
    it('a tenant not yet authorized → 409 TENANT_NOT_ACTIVE on every route', async () => {
      const t = await createTenant(h, 'Pending');
      const since = lastSeq(h.sim);
      for (const res of [
        await block(h, t.id, ['o1']),
        await unblock(h, t.id, ['o1']),
        await request(h.url).get(`/v1/tenants/${t.id}/blacklist`).set(bearer(h.operatorKey)),
        await request(h.url)
          .post(`/v1/tenants/${t.id}/blacklist/jobs`)
          .set(bearer(h.operatorKey))
          .send({ action: 'block', openids: ['o1'] }),
      ]) {
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe('TENANT_NOT_ACTIVE');
      }
      expect(h.sim.calls({ since }).filter((c) => c.api.startsWith('tags/'))).toHaveLength(0);
      expect(await sql(h, `SELECT 1 FROM blacklist_jobs WHERE tenant_id = $1`, [t.id])).toHaveLength(0);
    });

    it('a revoked tenant → 409 TENANT_NOT_ACTIVE', async () => {
      const t = await onboardTenant(h, { followers: 1 });
      await h.sim.revoke(t.appId);
      const since = lastSeq(h.sim);
      const res = await block(h, t.id, t.followers).expect(409);
      expect(res.body.error.code).toBe('TENANT_NOT_ACTIVE');
      expect(blacklistCalls(h.sim, t.appId, since)).toHaveLength(0);
    });

    it('an unverified account → 403 ACCOUNT_NOT_VERIFIED on every route', async () => {
      const t = await onboardTenant(h, { verified: false, followers: 1 });
      const since = lastSeq(h.sim);
      for (const res of [
        await block(h, t.id, t.followers),
        await unblock(h, t.id, t.followers),
        await request(h.url).get(`/v1/tenants/${t.id}/blacklist`).set(bearer(h.operatorKey)),
        await request(h.url)
          .post(`/v1/tenants/${t.id}/blacklist/jobs`)
          .set(bearer(h.operatorKey))
          .send({ action: 'unblock', openids: t.followers }),
      ]) {
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('ACCOUNT_NOT_VERIFIED');
      }
      expect(blacklistCalls(h.sim, t.appId, since)).toHaveLength(0);
    });

    it('neither set 2 nor 100 granted → 403 PERMISSION_SET_MISSING with required and granted', async () => {
      const t = await onboardTenant(h, { permissionSets: [1, 15], followers: 1 });
      const since = lastSeq(h.sim);
      for (const res of [
        await block(h, t.id, t.followers),
        await unblock(h, t.id, t.followers),
        await request(h.url).get(`/v1/tenants/${t.id}/blacklist`).set(bearer(h.operatorKey)),
        await request(h.url)
          .post(`/v1/tenants/${t.id}/blacklist/jobs`)
          .set(bearer(h.operatorKey))
          .send({ action: 'block', openids: t.followers }),
      ]) {
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('PERMISSION_SET_MISSING');
        expect(res.body.error.details).toEqual({ required: [2, 100], granted: [1, 15] });
      }
      expect(blacklistCalls(h.sim, t.appId, since)).toHaveLength(0);
    });

    it('set 100 alone is enough', async () => {
      const t = await onboardTenant(h, { permissionSets: [100], followers: 2 });
      const res = await block(h, t.id, t.followers).expect(200);
      expect(res.body.succeeded).toEqual(t.followers);
    });
  });

  describe('how WeChat failures end', () => {
    it('40001 / 42001: the token is refreshed once and the batch retried', async () => {
      const t = await onboardTenant(h, { followers: 2 });
      h.sim.expireTokens({ kind: 'authorizer', appId: t.appId });
      const since = lastSeq(h.sim);
      const res = await block(h, t.id, [t.followers[0]]).expect(200);
      expect(res.body.succeeded).toEqual([t.followers[0]]);
      h.sim.addFault({ api: BATCH_BLOCK, type: 'errcode', errcode: 40001, count: 1, appId: t.appId });
      const res2 = await block(h, t.id, [t.followers[1]]).expect(200);
      expect(res2.body.succeeded).toEqual([t.followers[1]]);
      const sequence = h.sim
        .calls({ since })
        .filter((c) => c.api === BATCH_BLOCK || c.api === 'component/api_authorizer_token')
        .map((c) => `${c.api}:${c.errcode}`);
      expect(sequence).toEqual([
        `${BATCH_BLOCK}:42001`,
        'component/api_authorizer_token:0',
        `${BATCH_BLOCK}:0`,
        `${BATCH_BLOCK}:40001`,
        'component/api_authorizer_token:0',
        `${BATCH_BLOCK}:0`,
      ]);
    });

    it('-1 and HTTP 500: bounded retries, then failed with WECHAT_UNAVAILABLE', async () => {
      const t = await onboardTenant(h, { followers: 40 });
      h.sim.addFault({ api: BATCH_BLOCK, type: 'errcode', errcode: -1, count: 3, appId: t.appId });
      const since = lastSeq(h.sim);
      // Concurrency 1 is not guaranteed, so both batches may share the three faults; at least one
      // batch sees -1 three times (the library's limit) only if the faults are not shared. Send one batch.
      const res = await block(h, t.id, t.followers.slice(0, 20)).expect(200);
      expect(res.body.succeeded).toEqual([]);
      expect(res.body.failed).toHaveLength(20);
      expect(new Set(res.body.failed.map((f: { code: string }) => f.code))).toEqual(new Set(['WECHAT_UNAVAILABLE']));
      expect(h.sim.calls({ api: BATCH_BLOCK, appId: t.appId, since }).map((c) => c.errcode)).toEqual([-1, -1, -1]);

      h.sim.addFault({ api: BATCH_BLOCK, type: 'http500', count: 2, appId: t.appId });
      const res2 = await block(h, t.id, t.followers.slice(20)).expect(200);
      // Two 500s, then the third attempt succeeds.
      expect(res2.body.succeeded).toEqual(t.followers.slice(20));
      h.sim.addFault({ api: BATCH_BLOCK, type: 'http500', appId: t.appId });
      const res3 = await unblock(h, t.id, t.followers.slice(0, 1)).expect(200);
      expect(res3.body.failed).toEqual([]);
      const res4 = await block(h, t.id, t.followers.slice(0, 1)).expect(200);
      expect(res4.body.failed).toEqual([
        { openid: t.followers[0], code: 'WECHAT_UNAVAILABLE', message: expect.stringContaining('unavailable') },
      ]);
    });

    it('48001: failed with API_UNAUTHORIZED, not retried', async () => {
      const t = await onboardTenant(h, { followers: 25 });
      // WeChat no longer considers the account verified; our records still do, so calls are made.
      h.sim.updateAuthorizer(t.appId, { verified: false });
      const since = lastSeq(h.sim);
      const res = await block(h, t.id, t.followers).expect(200);
      expect(res.body.succeeded).toEqual([]);
      expect(res.body.failed).toHaveLength(25);
      expect(res.body.failed.every((f: { code: string }) => f.code === 'API_UNAUTHORIZED')).toBe(true);
      const calls = h.sim.calls({ api: BATCH_BLOCK, appId: t.appId, since });
      expect(calls.map((c) => c.errcode)).toEqual([48001, 48001]);
    });

    it('61007: permission sets re-read and stored, 403 PERMISSION_SET_MISSING; the next request is refused without a call', async () => {
      const t = await onboardTenant(h, { followers: 5 });
      h.sim.updateAuthorizer(t.appId, { permissionSets: [1, 15] });
      const since = lastSeq(h.sim);
      const res = await block(h, t.id, t.followers).expect(403);
      expect(res.body.error.code).toBe('PERMISSION_SET_MISSING');
      expect(res.body.error.details).toEqual({ required: [2, 100], granted: [1, 15] });
      expect(h.sim.calls({ api: 'component/api_get_authorizer_info', since })).toHaveLength(1);
      const stored = await sql<{ permission_sets: number[] }>(h, `SELECT permission_sets FROM authorizers WHERE tenant_id = $1`, [
        t.id,
      ]);
      expect(stored[0].permission_sets).toEqual([1, 15]);
      const again = lastSeq(h.sim);
      await block(h, t.id, t.followers).expect(403);
      expect(blacklistCalls(h.sim, t.appId, again)).toHaveLength(0);
    });

    it('45009: calls stop for that API; the rest fail QUOTA_EXCEEDED; a request with nothing done → 429 + Retry-After, no call', async () => {
      const t = await onboardTenant(h, { followers: 100 });
      h.sim.setQuota({ api: BATCH_BLOCK, daily: 2, appId: t.appId });
      const since = lastSeq(h.sim);
      const res = await block(h, t.id, t.followers).expect(200);
      expectPartition(res.body, t.followers);
      expect(res.body.succeeded).toHaveLength(40);
      expect(res.body.failed).toHaveLength(60);
      expect(res.body.failed.every((f: { code: string }) => f.code === 'QUOTA_EXCEEDED')).toBe(true);
      const calls = h.sim.calls({ api: BATCH_BLOCK, appId: t.appId, since });
      // At most the batches already in flight when the first 45009 came back reached WeChat.
      expect(calls.filter((c) => c.errcode === 0)).toHaveLength(2);
      expect(calls.length).toBeLessThanOrEqual(2 + h.config.blacklist.concurrencyPerTenant);

      const again = lastSeq(h.sim);
      const refused = await block(h, t.id, t.followers.slice(50, 60)).expect(429);
      expect(refused.body.error.code).toBe('QUOTA_EXCEEDED');
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(86_400);
      expect(blacklistCalls(h.sim, t.appId, again)).toHaveLength(0);
      // The block is recorded for every instance, and only for that API.
      const blocks = await sql<{ api: string }>(h, `SELECT api FROM wechat_quota_blocks WHERE tenant_id = $1`, [t.id]);
      expect(blocks.map((b) => b.api)).toEqual(['batchblacklist']);
      await unblock(h, t.id, t.followers.slice(0, 1)).expect(200);
    });

    it('45009 on the very first call → 429 QUOTA_EXCEEDED', async () => {
      const t = await onboardTenant(h, { followers: 3 });
      h.sim.setQuota({ api: BATCH_UNBLOCK, daily: 0, appId: t.appId });
      const res = await unblock(h, t.id, t.followers).expect(429);
      expect(res.body.error.code).toBe('QUOTA_EXCEEDED');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  describe('Idempotency-Key', () => {
    it('same key and body within 24 h → the stored reply, WeChat not called again', async () => {
      const t = await onboardTenant(h, { followers: 30 });
      const key = `idem-${t.id}`;
      const first = await request(h.url)
        .post(`/v1/tenants/${t.id}/blacklist/block`)
        .set(bearer(h.operatorKey))
        .set('Idempotency-Key', key)
        .send({ openids: t.followers })
        .expect(200);
      const since = lastSeq(h.sim);
      // Same set in another order with a repetition is the same request.
      const shuffled = [...t.followers].reverse().concat(t.followers[0]);
      const second = await request(h.url)
        .post(`/v1/tenants/${t.id}/blacklist/block`)
        .set(bearer(t.apiKey))
        .set('Idempotency-Key', key)
        .send({ openids: shuffled })
        .expect(200);
      expect(second.body).toEqual(first.body);
      expect(blacklistCalls(h.sim, t.appId, since)).toHaveLength(0);
    });

    it('same key, different body → 422 IDEMPOTENCY_KEY_REUSED (also block vs unblock)', async () => {
      const t = await onboardTenant(h, { followers: 3 });
      const send = (path: string, openids: string[]) =>
        request(h.url)
          .post(`/v1/tenants/${t.id}/blacklist/${path}`)
          .set(bearer(h.operatorKey))
          .set('Idempotency-Key', 'k-1')
          .send({ openids });
      await send('block', t.followers.slice(0, 2)).expect(200);
      const since = lastSeq(h.sim);
      expect((await send('block', t.followers).expect(422)).body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect((await send('unblock', t.followers.slice(0, 2)).expect(422)).body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(blacklistCalls(h.sim, t.appId, since)).toHaveLength(0);
      // Keys are per tenant.
      const other = await onboardTenant(h, { followers: 1 });
      await request(h.url)
        .post(`/v1/tenants/${other.id}/blacklist/block`)
        .set(bearer(h.operatorKey))
        .set('Idempotency-Key', 'k-1')
        .send({ openids: other.followers })
        .expect(200);
    });

    it('concurrent requests with one key: WeChat is called once, both get the same reply', async () => {
      const t = await onboardTenant(h, { followers: 20 });
      h.sim.addFault({ api: BATCH_BLOCK, type: 'delay', delayMs: 300, appId: t.appId });
      const since = lastSeq(h.sim);
      const send = () =>
        request(h.url)
          .post(`/v1/tenants/${t.id}/blacklist/block`)
          .set(bearer(h.operatorKey))
          .set('Idempotency-Key', 'race')
          .send({ openids: t.followers });
      const [a, b] = await Promise.all([send(), send()]);
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      expect(b.body).toEqual(a.body);
      expect(h.sim.calls({ api: BATCH_BLOCK, appId: t.appId, since })).toHaveLength(1);
    });

    it('a failed request (429) releases its key; an expired key is reusable with another body', async () => {
      const t = await onboardTenant(h, { followers: 2 });
      h.sim.setQuota({ api: BATCH_BLOCK, daily: 0, appId: t.appId });
      const send = (openids: string[]) =>
        request(h.url)
          .post(`/v1/tenants/${t.id}/blacklist/block`)
          .set(bearer(h.operatorKey))
          .set('Idempotency-Key', 'once')
          .send({ openids });
      await send(t.followers).expect(429);
      expect(await sql(h, `SELECT 1 FROM blacklist_idempotency_keys WHERE tenant_id = $1`, [t.id])).toHaveLength(0);
      await sql(h, `DELETE FROM wechat_quota_blocks WHERE tenant_id = $1`, [t.id]);
      h.sim.setQuota({ api: BATCH_BLOCK, daily: 100, appId: t.appId });
      await send(t.followers).expect(200);
      // 25 hours later the key is free again.
      await sql(h, `UPDATE blacklist_idempotency_keys SET created_at = now() - interval '25 hours' WHERE tenant_id = $1`, [t.id]);
      const res = await send([t.followers[0]]).expect(200);
      expect(res.body.total).toBe(1);
    });

    it('hourly sweeps (pg-boss schedules) remove expired keys and lapsed quota blocks only', async () => {
      const t = await onboardTenant(h, { followers: 1 });
      await sql(
        h,
        `INSERT INTO blacklist_idempotency_keys (tenant_id, idempotency_key, request_hash, state, created_at)
         VALUES ($1, 'old', repeat('a', 64), 'completed', now() - interval '25 hours'), ($1, 'fresh', repeat('b', 64), 'completed', now())`,
        [t.id],
      );
      await sql(
        h,
        `INSERT INTO wechat_quota_blocks (tenant_id, api, blocked_until) VALUES ($1, 'getblacklist', now() - interval '2 days')`,
        [t.id],
      );
      const schedules = await sql<{ name: string; cron: string }>(
        h,
        `SELECT name, cron FROM pgboss.schedule WHERE name IN ('idempotency-keys-sweep', 'quota-blocks-sweep') ORDER BY name`,
      );
      expect(schedules).toEqual([
        { name: 'idempotency-keys-sweep', cron: '17 * * * *' },
        { name: 'quota-blocks-sweep', cron: '17 * * * *' },
      ]);
      await h.app.get(IdempotencyKeysSweep).run();
      await h.app.get(QuotaBlocksSweep).run();
      const keys = await sql<{ idempotency_key: string }>(
        h,
        `SELECT idempotency_key FROM blacklist_idempotency_keys WHERE tenant_id = $1`,
        [t.id],
      );
      expect(keys.map((k) => k.idempotency_key)).toEqual(['fresh']);
      expect(await sql(h, `SELECT 1 FROM wechat_quota_blocks WHERE tenant_id = $1`, [t.id])).toHaveLength(0);
    });

    it('a malformed key → 400', async () => {
      const t = await onboardTenant(h, { followers: 1 });
      const res = await request(h.url)
        .post(`/v1/tenants/${t.id}/blacklist/block`)
        .set(bearer(h.operatorKey))
        .set('Idempotency-Key', 'x'.repeat(256))
        .send({ openids: t.followers })
        .expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('GET /blacklist (one getblacklist page)', () => {
    it('pages with cursor = next_openid until nextCursor is null', async () => {
      const t = await onboardTenant(h, { followers: 7 });
      h.sim.updateAuthorizer(t.appId, { blacklist: t.followers });
      h.sim.updateSettings({ blacklistPageSize: 3 });
      try {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        const since = lastSeq(h.sim);
        do {
          const res: request.Response = await request(h.url)
            .get(`/v1/tenants/${t.id}/blacklist${cursor ? `?cursor=${cursor}` : ''}`)
            .set(bearer(t.apiKey))
            .expect(200);
          expect(res.body.total).toBe(7);
          seen.push(...res.body.openids);
          cursor = res.body.nextCursor;
          pages++;
        } while (cursor && pages < 10);
        expect(pages).toBe(3);
        expect(seen).toEqual([...t.followers].sort());
        expect(h.sim.calls({ api: GET_BLACKLIST, appId: t.appId, since })).toHaveLength(3);
        // WeChat's other habit: the last full page keeps next_openid, one more call returns count 0.
        h.sim.updateSettings({ blacklistTrailingEmptyPage: true });
        const last = await request(h.url)
          .get(`/v1/tenants/${t.id}/blacklist?cursor=${seen[5]}`)
          .set(bearer(t.apiKey))
          .expect(200);
        expect(last.body.openids).toEqual([seen[6]]);
        const end = await request(h.url)
          .get(`/v1/tenants/${t.id}/blacklist?cursor=${last.body.nextCursor}`)
          .set(bearer(t.apiKey))
          .expect(200);
        expect(end.body).toEqual({ total: 7, openids: [], nextCursor: null });
      } finally {
        h.sim.updateSettings({ blacklistPageSize: 10_000, blacklistTrailingEmptyPage: false });
      }
    });

    it('an empty blacklist; a malformed cursor → 400', async () => {
      const t = await onboardTenant(h, { followers: 1 });
      const res = await request(h.url).get(`/v1/tenants/${t.id}/blacklist`).set(bearer(h.operatorKey)).expect(200);
      expect(res.body).toEqual({ total: 0, openids: [], nextCursor: null });
      await request(h.url).get(`/v1/tenants/${t.id}/blacklist?cursor=a%20b`).set(bearer(h.operatorKey)).expect(400);
    });
  });

  describe('tenant isolation', () => {
    it("another tenant's key → 404 on every blacklist and audit route, and nothing reaches WeChat", async () => {
      const a = await onboardTenant(h, { followers: 2 });
      const b = await onboardTenant(h, { followers: 2 });
      const job = await request(h.url)
        .post(`/v1/tenants/${b.id}/blacklist/jobs`)
        .set(bearer(b.apiKey))
        .send({ action: 'block', openids: b.followers })
        .expect(202);
      await waitForJob(h.url, b.apiKey, b.id, job.body.id);
      const since = lastSeq(h.sim);
      const base = `/v1/tenants/${b.id}`;
      const attempts = [
        request(h.url).post(`${base}/blacklist/block`).set(bearer(a.apiKey)).send({ openids: b.followers }),
        request(h.url).post(`${base}/blacklist/unblock`).set(bearer(a.apiKey)).send({ openids: b.followers }),
        request(h.url).get(`${base}/blacklist`).set(bearer(a.apiKey)),
        request(h.url).post(`${base}/blacklist/jobs`).set(bearer(a.apiKey)).send({ action: 'block', openids: b.followers }),
        request(h.url).get(`${base}/blacklist/jobs/${job.body.id}`).set(bearer(a.apiKey)),
        request(h.url).get(`${base}/blacklist/jobs/${job.body.id}/items`).set(bearer(a.apiKey)),
        request(h.url).delete(`${base}/blacklist/jobs/${job.body.id}`).set(bearer(a.apiKey)),
        request(h.url).get(`${base}/audit-events`).set(bearer(a.apiKey)),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('TENANT_NOT_FOUND');
      }
      expect(blacklistCalls(h.sim, b.appId, since)).toHaveLength(0);
      const job2 = await request(h.url).get(`${base}/blacklist/jobs/${job.body.id}`).set(bearer(b.apiKey)).expect(200);
      expect(job2.body.status).toBe('succeeded');
    });

    it("a job id of tenant A under tenant B's path → 404 JOB_NOT_FOUND, even for the operator", async () => {
      const a = await onboardTenant(h, { followers: 2 });
      const b = await onboardTenant(h, { followers: 2 });
      const job = await request(h.url)
        .post(`/v1/tenants/${a.id}/blacklist/jobs`)
        .set(bearer(a.apiKey))
        .send({ action: 'block', openids: a.followers })
        .expect(202);
      for (const key of [h.operatorKey, b.apiKey]) {
        for (const res of [
          await request(h.url).get(`/v1/tenants/${b.id}/blacklist/jobs/${job.body.id}`).set(bearer(key)),
          await request(h.url).get(`/v1/tenants/${b.id}/blacklist/jobs/${job.body.id}/items`).set(bearer(key)),
          await request(h.url).delete(`/v1/tenants/${b.id}/blacklist/jobs/${job.body.id}`).set(bearer(key)),
        ]) {
          expect(res.status).toBe(404);
          expect(res.body.error.code).toBe('JOB_NOT_FOUND');
        }
      }
      // Unknown ids and non-uuids are just as unknown.
      await request(h.url)
        .get(`/v1/tenants/${a.id}/blacklist/jobs/00000000-0000-4000-8000-000000000000`)
        .set(bearer(a.apiKey))
        .expect(404);
      await request(h.url).get(`/v1/tenants/${a.id}/blacklist/jobs/nope`).set(bearer(a.apiKey)).expect(404);
    });

    it('no key → 401', async () => {
      const a = await onboardTenant(h, { followers: 1 });
      await request(h.url).post(`/v1/tenants/${a.id}/blacklist/block`).send({ openids: a.followers }).expect(401);
      await request(h.url).get(`/v1/tenants/${a.id}/audit-events`).expect(401);
    });
  });

  describe('audit events', () => {
    it('one append-only event per request with actor, counts and requestId; cursor pagination, newest first', async () => {
      const t = await onboardTenant(h, { followers: 6 });
      const bad = strangers(1, `aud${t.appId.slice(-4)}`);
      await request(h.url)
        .post(`/v1/tenants/${t.id}/blacklist/block`)
        .set(bearer(h.operatorKey))
        .set('x-request-id', 'req-audit-1')
        .send({ openids: [...t.followers.slice(0, 3), ...bad] })
        .expect(200);
      await request(h.url)
        .post(`/v1/tenants/${t.id}/blacklist/unblock`)
        .set(bearer(t.apiKey))
        .set('x-request-id', 'req-audit-2')
        .send({ openids: t.followers.slice(0, 1) })
        .expect(200);
      await request(h.url)
        .post(`/v1/tenants/${t.id}/blacklist/block`)
        .set(bearer(t.apiKey))
        .set('x-request-id', 'req-audit-3')
        .send({ openids: t.followers.slice(3) })
        .expect(200);

      const page1 = await request(h.url).get(`/v1/tenants/${t.id}/audit-events?limit=2`).set(bearer(t.apiKey)).expect(200);
      expect(page1.body.items).toHaveLength(2);
      expect(page1.body.nextCursor).toEqual(expect.any(String));
      const page2 = await request(h.url)
        .get(`/v1/tenants/${t.id}/audit-events?limit=1&cursor=${page1.body.nextCursor}`)
        .set(bearer(h.operatorKey))
        .expect(200);
      // Older still: the tenant's own lifecycle (created, onboarding link, activated), oldest last.
      const rest = await request(h.url)
        .get(`/v1/tenants/${t.id}/audit-events?cursor=${page2.body.nextCursor}`)
        .set(bearer(h.operatorKey))
        .expect(200);
      expect(rest.body.nextCursor).toBeNull();
      expect(rest.body.items.at(-1)).toMatchObject({ action: 'tenant.created' });
      const events = [...page1.body.items, ...page2.body.items];
      expect(events.map((e: { requestId: string }) => e.requestId)).toEqual(['req-audit-3', 'req-audit-2', 'req-audit-1']);
      expect(events[2]).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        tenantId: t.id,
        at: expect.any(String),
        actor: 'operator',
        actorName: expect.stringMatching(/^[0-9a-f]{8}$/),
        action: 'block',
        total: 4,
        succeeded: 3,
        invalid: 1,
        failed: 0,
        jobId: null,
        requestId: 'req-audit-1',
      });
      expect(events[1]).toMatchObject({ actor: 'tenant', action: 'unblock', total: 1, succeeded: 1 });
      // Append-only at the database level.
      await expect(sql(h, `UPDATE audit_events SET total = 0 WHERE tenant_id = $1`, [t.id])).rejects.toThrow(/append-only/);
      await request(h.url).get(`/v1/tenants/${t.id}/audit-events?cursor=!!`).set(bearer(t.apiKey)).expect(400);
    });
  });
});
