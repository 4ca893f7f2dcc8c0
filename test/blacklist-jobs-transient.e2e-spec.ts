import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { onboardTenant, sql } from './support/onboarding';
import { allItems, appliedOpenids, BATCH_BLOCK, bearer, GET_BLACKLIST, lastSeq, waitForJob } from './support/blacklist-helpers';

const createJob = (h: Harness, tenantId: string, openids: string[]) =>
  request(h.url).post(`/v1/tenants/${tenantId}/blacklist/jobs`).set(bearer(h.operatorKey)).send({ action: 'block', openids });

const harnessWithWindow = (seconds: number) =>
  startHarness({
    config: (c) => ({
      ...c,
      blacklist: {
        ...c.blacklist,
        concurrencyPerTenant: 2,
        jobs: { pollingIntervalSeconds: 0.5, transientRetryWindowSeconds: seconds },
      },
    }),
  });

/** A 45009 blocks the tenant's calls for `seconds` (instead of until midnight in China). */
const harnessWithQuotaReset = (seconds: number) =>
  startHarness({
    config: (c) => ({
      ...c,
      blacklist: { ...c.blacklist, quotaResetAfterSeconds: seconds, jobs: { pollingIntervalSeconds: 0.5 } },
    }),
  });

/** Blocks `openids` through the sync route: WeChat holds them before the job runs. */
const blockNow = (h: Harness, tenantId: string, openids: string[]) =>
  request(h.url).post(`/v1/tenants/${tenantId}/blacklist/block`).set(bearer(h.operatorKey)).send({ openids }).expect(200);

/** Jobs retry transient faults over a long window; unknown outcomes are never reported failed. */
describe('blacklist jobs under transient WeChat faults', () => {
  describe('within the retry window', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await harnessWithWindow(60);
      await h.sim.pushTicket();
    });
    afterAll(() => h?.close());
    afterEach(() => h.sim.clearFaults());

    it('-1 on more calls than the HTTP client retries: every openid still ends succeeded, each applied once', async () => {
      const t = await onboardTenant(h, { followers: 60 });
      h.sim.addFault({ api: BATCH_BLOCK, type: 'errcode', errcode: -1, count: 8, appId: t.appId });
      const since = lastSeq(h.sim);
      const job = (await createJob(h, t.id, t.followers).expect(202)).body;
      const { job: done } = await waitForJob(h.url, h.operatorKey, t.id, job.id, undefined, 40_000);
      expect(done).toMatchObject({ status: 'succeeded', succeeded: 60, failed: 0, details: { resentAfterUnknownOutcome: 0 } });
      expect(appliedOpenids(h.sim, BATCH_BLOCK, t.appId, since).sort()).toEqual([...t.followers].sort());
    });

    it('dropped connections (outcome unknown): re-sent until answered, counted, none reported failed', async () => {
      const t = await onboardTenant(h, { followers: 40 });
      h.sim.addFault({ api: BATCH_BLOCK, type: 'drop', count: 8, appId: t.appId });
      const job = (await createJob(h, t.id, t.followers).expect(202)).body;
      const { job: done } = await waitForJob(h.url, h.operatorKey, t.id, job.id, undefined, 40_000);
      expect(done).toMatchObject({ status: 'succeeded', succeeded: 40, failed: 0 });
      expect(done.details.resentAfterUnknownOutcome).toBeGreaterThan(0);
      const metrics = (await request(h.url).get('/metrics').expect(200)).text;
      expect(metrics).toMatch(/blacklist_job_resent_after_unknown_outcome_total [1-9]/);
    });
  });

  describe('once the retry window is over', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await harnessWithWindow(2);
      await h.sim.pushTicket();
    });
    afterAll(() => h?.close());
    afterEach(() => h.sim.clearFaults());

    it('a failure WeChat answered (-1) fails the openids: the window is finite', async () => {
      const t = await onboardTenant(h, { followers: 10 });
      h.sim.addFault({ api: BATCH_BLOCK, type: 'errcode', errcode: -1, appId: t.appId });
      const job = (await createJob(h, t.id, t.followers).expect(202)).body;
      const { job: done } = await waitForJob(h.url, h.operatorKey, t.id, job.id, undefined, 30_000);
      expect(done).toMatchObject({ status: 'failed', failed: 10 });
      const items = await allItems(h.url, h.operatorKey, t.id, job.id);
      expect(new Set(items.map((i) => i.code))).toEqual(new Set(['WECHAT_UNAVAILABLE']));
    });

    it('unknown outcomes are read back from getblacklist: applied ones succeeded, never failed', async () => {
      const t = await onboardTenant(h, { followers: 10 });
      const [applied, rest] = [t.followers.slice(0, 5), t.followers.slice(5)];
      // WeChat already holds these (as if an unanswered call had applied them).
      await blockNow(h, t.id, applied);
      h.sim.addFault({ api: BATCH_BLOCK, type: 'drop', appId: t.appId });
      const job = (await createJob(h, t.id, t.followers).expect(202)).body;
      const { job: done } = await waitForJob(h.url, h.operatorKey, t.id, job.id, undefined, 30_000);
      expect(done).toMatchObject({ succeeded: 5, failed: 5 });
      const items = await allItems(h.url, h.operatorKey, t.id, job.id);
      expect(
        items
          .filter((i) => i.outcome === 'succeeded')
          .map((i) => i.openid)
          .sort(),
      ).toEqual([...applied].sort());
      expect(
        items
          .filter((i) => i.outcome === 'failed')
          .map((i) => i.openid)
          .sort(),
      ).toEqual([...rest].sort());
    });
  });

  describe('a cancel while openids of a pending chunk have an unknown outcome', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await harnessWithQuotaReset(600);
      await h.sim.pushTicket();
    });
    afterAll(() => h?.close());

    it('they are read back before the rest is cancelled: applied ones succeeded, never cancelled', async () => {
      const t = await onboardTenant(h, { followers: 10 });
      const [applied, rest] = [t.followers.slice(0, 5), t.followers.slice(5)];
      // WeChat already holds these (as if the call whose connection dropped had applied them).
      await blockNow(h, t.id, applied);
      // One call loses its connection (all the HTTP client's tries), the re-send meets a spent
      // daily quota: the job pauses with its chunk pending, its openids' outcome unknown.
      const since = lastSeq(h.sim);
      h.sim.addFault({ api: BATCH_BLOCK, type: 'drop', count: 3, appId: t.appId });
      h.sim.addFault({ api: BATCH_BLOCK, type: 'errcode', errcode: 45009, count: 1, appId: t.appId });
      const job = (await createJob(h, t.id, t.followers).expect(202)).body;
      await waitForJob(h.url, h.operatorKey, t.id, job.id, (j) => j.status === 'paused');
      await request(h.url).delete(`/v1/tenants/${t.id}/blacklist/jobs/${job.id}`).set(bearer(h.operatorKey)).expect(202);

      // Long before the quota resets (600 s): the cancel itself hands the job to a worker.
      const { job: done } = await waitForJob(h.url, h.operatorKey, t.id, job.id, undefined, 20_000);
      expect(done).toMatchObject({ status: 'cancelled', succeeded: 5, cancelled: 5, failed: 0 });
      const items = await allItems(h.url, h.operatorKey, t.id, job.id);
      expect(
        items
          .filter((i) => i.outcome === 'succeeded')
          .map((i) => i.openid)
          .sort(),
      ).toEqual([...applied].sort());
      expect(
        items
          .filter((i) => i.outcome === 'cancelled')
          .map((i) => i.openid)
          .sort(),
      ).toEqual([...rest].sort());
      // The job's calls never got through: the state came from getblacklist.
      expect(appliedOpenids(h.sim, BATCH_BLOCK, t.appId, since)).toEqual([]);
      expect(h.sim.calls({ api: GET_BLACKLIST, appId: t.appId, since }).length).toBeGreaterThanOrEqual(1);
    });
  });

  describe('a cancel while a chunk waits out a backoff', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await harnessWithWindow(3600);
      await h.sim.pushTicket();
    });
    afterAll(() => h?.close());
    afterEach(() => h.sim.clearFaults());

    it('ends at once, not with the hour-long window: unknown ones read back (applied succeeded), the rest cancelled', async () => {
      const t = await onboardTenant(h, { followers: 10 });
      const [applied, rest] = [t.followers.slice(0, 5), t.followers.slice(5)];
      await blockNow(h, t.id, applied);
      const since = lastSeq(h.sim);
      h.sim.addFault({ api: BATCH_BLOCK, type: 'drop', appId: t.appId });
      const job = (await createJob(h, t.id, t.followers).expect(202)).body;
      // The HTTP client's three tries of the first call were dropped: the chunk is backing off.
      await waitForJob(
        h.url,
        h.operatorKey,
        t.id,
        job.id,
        () => h.sim.calls({ api: BATCH_BLOCK, appId: t.appId, since }).length >= 3,
      );
      await request(h.url).delete(`/v1/tenants/${t.id}/blacklist/jobs/${job.id}`).set(bearer(h.operatorKey)).expect(202);

      const { job: done } = await waitForJob(h.url, h.operatorKey, t.id, job.id, undefined, 20_000);
      expect(done).toMatchObject({ status: 'cancelled', succeeded: 5, cancelled: 5, failed: 0 });
      const items = await allItems(h.url, h.operatorKey, t.id, job.id, 'succeeded');
      expect(items.map((i) => i.openid).sort()).toEqual([...applied].sort());
      expect(rest.every((o) => !h.sim.getAuthorizer(t.appId).blacklist.includes(o))).toBe(true);
    });
  });

  describe('a cancel while a dead worker’s chunk was in flight', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await harnessWithQuotaReset(2);
      await h.sim.pushTicket();
    });
    afterAll(() => h?.close());

    it('openids WeChat applied end succeeded, not cancelled; the rest cancelled', async () => {
      const t = await onboardTenant(h, { followers: 10 });
      const [applied, rest] = [t.followers.slice(0, 5), t.followers.slice(5)];
      await blockNow(h, t.id, applied);
      // The job pauses on a spent quota, then its chunk looks like one a killed worker had on the wire.
      h.sim.addFault({ api: BATCH_BLOCK, type: 'errcode', errcode: 45009, count: 1, appId: t.appId });
      const job = (await createJob(h, t.id, t.followers).expect(202)).body;
      await waitForJob(h.url, h.operatorKey, t.id, job.id, (j) => j.status === 'paused');
      await sql(
        h,
        `UPDATE blacklist_job_chunks SET state = 'in_flight', claimed_by = gen_random_uuid(), lease_until = now() - interval '1 second'
          WHERE job_id = $1`,
        [job.id],
      );
      await request(h.url).delete(`/v1/tenants/${t.id}/blacklist/jobs/${job.id}`).set(bearer(h.operatorKey)).expect(202);

      const { job: done } = await waitForJob(h.url, h.operatorKey, t.id, job.id, undefined, 20_000);
      expect(done).toMatchObject({ status: 'cancelled', succeeded: 5, cancelled: 5, failed: 0 });
      const items = await allItems(h.url, h.operatorKey, t.id, job.id);
      expect(
        items
          .filter((i) => i.outcome === 'succeeded')
          .map((i) => i.openid)
          .sort(),
      ).toEqual([...applied].sort());
      expect(
        items
          .filter((i) => i.outcome === 'cancelled')
          .map((i) => i.openid)
          .sort(),
      ).toEqual([...rest].sort());
    });
  });
});
