import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { onboardTenant, sql } from './support/onboarding';
import {
  allItems,
  appliedOpenids,
  BATCH_BLOCK,
  BATCH_UNBLOCK,
  bearer,
  blacklistCalls,
  lastSeq,
  openidsOf,
  sleep,
  strangers,
  waitForJob,
} from './support/blacklist-helpers';

const createJob = (h: Harness, tenantId: string, body: unknown, key = h.operatorKey) =>
  request(h.url)
    .post(`/v1/tenants/${tenantId}/blacklist/jobs`)
    .set(bearer(key))
    .send(body as object);

/** Every openid of `expected` reached WeChat in exactly one successful call. */
function expectAppliedOnce(h: Harness, api: string, appId: string, expected: string[], since = 0) {
  const applied = appliedOpenids(h.sim, api, appId, since);
  expect(applied.length).toBe(expected.length);
  expect(new Set(applied)).toEqual(new Set(expected));
}

describe('blacklist jobs (pg-boss queue, PostgreSQL items, simulator over HTTP)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      config: (c) => ({
        ...c,
        blacklist: { ...c.blacklist, quotaResetAfterSeconds: 2, jobs: { pollingIntervalSeconds: 0.5 } },
      }),
    });
    await h.sim.pushTicket();
  });
  afterAll(() => h.close());
  afterEach(() => h.sim.clearFaults());

  it('a few-thousand-openid job with invalid openids mixed in: valid ones blocked once, bad ones invalid, every item accounted for', async () => {
    const t = await onboardTenant(h, { followers: 3000 });
    const bad = strangers(7, `job${t.appId.slice(-4)}`);
    const openids = [...t.followers];
    bad.forEach((b, i) => openids.splice(37 + i * 411, 0, b));
    const submitted = [...openids, ...t.followers.slice(0, 50)]; // duplicates collapse
    const since = lastSeq(h.sim);
    const created = await createJob(h, t.id, { action: 'block', openids: submitted }, t.apiKey)
      .set('x-request-id', 'job-req-1')
      .expect(202);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      action: 'block',
      status: 'queued',
      total: 3007,
    });

    const { job } = await waitForJob(h.url, t.apiKey, t.id, created.body.id);
    expect(job).toEqual({
      id: created.body.id,
      action: 'block',
      // Invalid openids are reported per item; nothing failed, so the job succeeded.
      status: 'succeeded',
      total: 3007,
      processed: 3007,
      succeeded: 3000,
      invalid: 7,
      failed: 0,
      cancelled: 0,
      createdAt: expect.any(String),
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
      resumeAt: null,
      error: null,
      details: { resentAfterUnknownOutcome: 0 },
    });
    expect(Date.parse(job.startedAt)).toBeGreaterThanOrEqual(Date.parse(job.createdAt));
    expect(Date.parse(job.finishedAt)).toBeGreaterThanOrEqual(Date.parse(job.startedAt));

    expect(h.sim.getAuthorizer(t.appId).blacklist).toEqual([...t.followers].sort());
    expectAppliedOnce(h, BATCH_BLOCK, t.appId, t.followers, since);
    expect(h.sim.calls({ api: BATCH_BLOCK, appId: t.appId, since }).every((c) => openidsOf(c).length <= 20)).toBe(true);

    const invalid = await allItems(h.url, t.apiKey, t.id, created.body.id, 'invalid');
    expect(invalid.map((i) => i.openid)).toEqual(bad);
    expect(invalid.every((i) => i.outcome === 'invalid' && i.code === 'INVALID_OPENID')).toBe(true);
    const items = await allItems(h.url, t.apiKey, t.id, created.body.id, undefined, 700);
    expect(items.map((i) => i.openid)).toEqual(openids);
    expect(await allItems(h.url, t.apiKey, t.id, created.body.id, 'pending')).toEqual([]);

    const events = await request(h.url).get(`/v1/tenants/${t.id}/audit-events`).set(bearer(t.apiKey)).expect(200);
    expect(events.body.items[0]).toMatchObject({
      actor: 'tenant',
      action: 'block',
      total: 3007,
      succeeded: 3000,
      invalid: 7,
      failed: 0,
      jobId: created.body.id,
      requestId: 'job-req-1',
    });
  });

  it('progress is visible after every chunk; items can be listed by outcome with a cursor while running', async () => {
    const t = await onboardTenant(h, { followers: 400 });
    h.sim.addFault({ api: BATCH_UNBLOCK, type: 'delay', delayMs: 150, appId: t.appId });
    h.sim.updateAuthorizer(t.appId, { blacklist: t.followers });
    const created = await createJob(h, t.id, { action: 'unblock', openids: t.followers }).expect(202);
    const { job, seen } = await waitForJob(h.url, h.operatorKey, t.id, created.body.id, (j) => j.finishedAt !== null, 30_000);
    expect(job.status).toBe('succeeded');
    const processed = seen.map((j) => j.processed);
    // Never goes backwards, and several intermediate values were observed.
    expect(processed).toEqual([...processed].sort((a, b) => a - b));
    expect(new Set(processed.filter((p) => p > 0 && p < 400)).size).toBeGreaterThanOrEqual(3);
    expect(seen.some((j) => j.status === 'running')).toBe(true);
    const page = await request(h.url)
      .get(`/v1/tenants/${t.id}/blacklist/jobs/${created.body.id}/items?outcome=succeeded&limit=150`)
      .set(bearer(h.operatorKey))
      .expect(200);
    expect(page.body.items).toHaveLength(150);
    expect(page.body.items[0]).toEqual({ openid: t.followers[0], outcome: 'succeeded', code: null, message: null });
    const page2 = await request(h.url)
      .get(
        `/v1/tenants/${t.id}/blacklist/jobs/${created.body.id}/items?outcome=succeeded&limit=150&cursor=${page.body.nextCursor}`,
      )
      .set(bearer(h.operatorKey))
      .expect(200);
    expect(page2.body.items[0].openid).toBe(t.followers[150]);
    expect(h.sim.getAuthorizer(t.appId).blacklist).toEqual([]);
    await request(h.url)
      .get(`/v1/tenants/${t.id}/blacklist/jobs/${created.body.id}/items?outcome=nope`)
      .set(bearer(h.operatorKey))
      .expect(400);
    await request(h.url)
      .get(`/v1/tenants/${t.id}/blacklist/jobs/${created.body.id}/items?limit=1001`)
      .set(bearer(h.operatorKey))
      .expect(400);
  });

  it('DELETE cancels: 202, what was not sent ends cancelled and never reaches WeChat', async () => {
    const t = await onboardTenant(h, { followers: 1000 });
    h.sim.addFault({ api: BATCH_BLOCK, type: 'delay', delayMs: 100, appId: t.appId });
    const since = lastSeq(h.sim);
    const created = await createJob(h, t.id, { action: 'block', openids: t.followers }).expect(202);
    await waitForJob(h.url, h.operatorKey, t.id, created.body.id, (j) => j.processed >= 40);
    const cancelled = await request(h.url)
      .delete(`/v1/tenants/${t.id}/blacklist/jobs/${created.body.id}`)
      .set(bearer(h.operatorKey))
      .expect(202);
    expect(cancelled.body.status).toBe('cancelled');
    const { job } = await waitForJob(h.url, h.operatorKey, t.id, created.body.id);
    expect(job.status).toBe('cancelled');
    expect(job.cancelled).toBeGreaterThan(0);
    expect(job.succeeded + job.cancelled).toBe(1000);
    const cancelledItems = await allItems(h.url, h.operatorKey, t.id, created.body.id, 'cancelled');
    expect(cancelledItems).toHaveLength(job.cancelled);
    const sent = new Set(blacklistCalls(h.sim, t.appId, since).flatMap(openidsOf));
    expect(cancelledItems.filter((i) => sent.has(i.openid))).toEqual([]);
    expectAppliedOnce(
      h,
      BATCH_BLOCK,
      t.appId,
      (await allItems(h.url, h.operatorKey, t.id, created.body.id, 'succeeded')).map((i) => i.openid),
      since,
    );
    // Cancelling again is harmless; cancelling a job that already finished leaves it as it ended.
    await request(h.url).delete(`/v1/tenants/${t.id}/blacklist/jobs/${created.body.id}`).set(bearer(h.operatorKey)).expect(202);
    h.sim.clearFaults();
    const done = await createJob(h, t.id, { action: 'unblock', openids: t.followers.slice(0, 3) }).expect(202);
    await waitForJob(h.url, h.operatorKey, t.id, done.body.id);
    const late = await request(h.url)
      .delete(`/v1/tenants/${t.id}/blacklist/jobs/${done.body.id}`)
      .set(bearer(h.operatorKey))
      .expect(202);
    expect(late.body).toMatchObject({ id: done.body.id, status: 'succeeded', succeeded: 3, cancelled: 0 });
    const after = await request(h.url)
      .get(`/v1/tenants/${t.id}/blacklist/jobs/${done.body.id}`)
      .set(bearer(h.operatorKey))
      .expect(200);
    expect(after.body.status).toBe('succeeded');
    const events = await request(h.url).get(`/v1/tenants/${t.id}/audit-events`).set(bearer(h.operatorKey)).expect(200);
    // The jobs' events, newest first, ahead of the tenant's own lifecycle (created, onboarded).
    const jobEvents = events.body.items.filter((e: { jobId: string | null }) => e.jobId !== null);
    expect(jobEvents.map((e: { jobId: string }) => e.jobId)).toEqual([done.body.id, created.body.id]);
    expect(events.body.items.slice(0, 2)).toEqual(jobEvents);
  });

  it('45009 pauses the job; it resumes by itself after the reset and finishes; nothing is sent twice', async () => {
    const t = await onboardTenant(h, { followers: 200 });
    h.sim.setQuota({ api: BATCH_BLOCK, daily: 3, appId: t.appId });
    const since = lastSeq(h.sim);
    const created = await createJob(h, t.id, { action: 'block', openids: t.followers }).expect(202);
    // Paused as soon as the first 45009 is back; chunks already in flight still record their answers.
    const { job: paused } = await waitForJob(
      h.url,
      h.operatorKey,
      t.id,
      created.body.id,
      (j) => j.status === 'paused' && j.succeeded === 60,
    );
    expect(paused.resumeAt).toEqual(expect.any(String));
    expect(paused.failed).toBe(0);
    expect((await allItems(h.url, h.operatorKey, t.id, created.body.id, 'pending')).length).toBe(140);
    // The block is shared: the synchronous route refuses without calling WeChat.
    const before = lastSeq(h.sim);
    const sync = await request(h.url)
      .post(`/v1/tenants/${t.id}/blacklist/block`)
      .set(bearer(h.operatorKey))
      .send({ openids: t.followers.slice(-1) })
      .expect(429);
    expect(sync.body.error.code).toBe('QUOTA_EXCEEDED');
    expect(blacklistCalls(h.sim, t.appId, before)).toHaveLength(0);

    // WeChat's quota resets (the simulator's counters are raised), our reset time passes.
    h.sim.setQuota({ api: BATCH_BLOCK, daily: 100_000, appId: t.appId });
    const { job, seen } = await waitForJob(h.url, h.operatorKey, t.id, created.body.id, (j) => j.finishedAt !== null, 20_000);
    expect(job.status).toBe('succeeded');
    expect(job.succeeded).toBe(200);
    expect(seen.some((j) => j.status === 'paused')).toBe(true);
    const calls = h.sim.calls({ api: BATCH_BLOCK, appId: t.appId, since });
    const resetAt = Date.parse(paused.resumeAt);
    // Before the reset: the three the quota allowed and the refused ones still in flight, nothing after.
    const beforeReset = calls.filter((c) => c.at < resetAt);
    expect(beforeReset.filter((c) => c.errcode === 0)).toHaveLength(3);
    expect(beforeReset.filter((c) => c.errcode === 45009).length).toBeGreaterThanOrEqual(1);
    expect(beforeReset.length).toBeLessThanOrEqual(3 + h.config.blacklist.concurrencyPerTenant);
    expect(calls.filter((c) => c.at >= resetAt).every((c) => c.errcode === 0)).toBe(true);
    expectAppliedOnce(h, BATCH_BLOCK, t.appId, t.followers, since);
  });

  it('the gate: refused at creation (nothing stored); re-checked before every chunk (revoked mid-job → remaining fail TENANT_NOT_ACTIVE)', async () => {
    const unverified = await onboardTenant(h, { verified: false, followers: 2 });
    const refused = await createJob(h, unverified.id, { action: 'block', openids: unverified.followers }).expect(403);
    expect(refused.body.error.code).toBe('ACCOUNT_NOT_VERIFIED');
    expect(await sql(h, `SELECT 1 FROM blacklist_jobs WHERE tenant_id = $1`, [unverified.id])).toHaveLength(0);

    const t = await onboardTenant(h, { followers: 600 });
    h.sim.addFault({ api: BATCH_BLOCK, type: 'delay', delayMs: 80, appId: t.appId });
    const created = await createJob(h, t.id, { action: 'block', openids: t.followers }).expect(202);
    await waitForJob(h.url, h.operatorKey, t.id, created.body.id, (j) => j.processed >= 40);
    await h.sim.revoke(t.appId); // pushes `unauthorized`: the tenant is marked revoked
    const { job } = await waitForJob(h.url, h.operatorKey, t.id, created.body.id);
    expect(job.status).toBe('partially_failed');
    expect(job.error).toEqual({ code: 'TENANT_NOT_ACTIVE', message: expect.any(String) });
    expect(job.succeeded).toBeGreaterThanOrEqual(40);
    expect(job.succeeded + job.failed).toBe(600);
    const failed = await allItems(h.url, h.operatorKey, t.id, created.body.id, 'failed');
    expect(failed.length).toBe(job.failed);
    expect(failed.every((i) => i.code === 'TENANT_NOT_ACTIVE')).toBe(true);
  });

  it('61007 mid-job: permission sets re-read and stored; the rest fail PERMISSION_SET_MISSING without further calls', async () => {
    const t = await onboardTenant(h, { followers: 600 });
    h.sim.addFault({ api: BATCH_BLOCK, type: 'delay', delayMs: 50, appId: t.appId });
    const created = await createJob(h, t.id, { action: 'block', openids: t.followers }).expect(202);
    await waitForJob(h.url, h.operatorKey, t.id, created.body.id, (j) => j.processed >= 40);
    h.sim.updateAuthorizer(t.appId, { permissionSets: [1, 15] });
    const { job } = await waitForJob(h.url, h.operatorKey, t.id, created.body.id);
    expect(job.status).toBe('partially_failed');
    expect(job.error).toEqual({ code: 'PERMISSION_SET_MISSING', message: expect.any(String) });
    expect(job.succeeded + job.failed).toBe(600);
    const failed = await allItems(h.url, h.operatorKey, t.id, created.body.id, 'failed');
    expect(failed.every((i) => i.code === 'PERMISSION_SET_MISSING')).toBe(true);
    // Only chunks already on their way (or claimed before the re-read sets were stored) were refused.
    const refused = h.sim.calls({ api: BATCH_BLOCK, appId: t.appId }).filter((c) => c.errcode === 61007);
    expect(refused.length).toBeLessThanOrEqual(2 * h.config.blacklist.concurrencyPerTenant);
    const stored = await sql<{ permission_sets: number[] }>(h, `SELECT permission_sets FROM authorizers WHERE tenant_id = $1`, [
      t.id,
    ]);
    expect(stored[0].permission_sets).toEqual([1, 15]);
  });

  it('a token rejected mid-job (40001) is refreshed and the job goes on', async () => {
    const t = await onboardTenant(h, { followers: 100 });
    h.sim.addFault({ api: BATCH_BLOCK, type: 'errcode', errcode: 40001, count: 1, appId: t.appId });
    const since = lastSeq(h.sim);
    const created = await createJob(h, t.id, { action: 'block', openids: t.followers }).expect(202);
    const { job } = await waitForJob(h.url, h.operatorKey, t.id, created.body.id);
    expect(job.status).toBe('succeeded');
    expect(h.sim.calls({ api: 'component/api_authorizer_token', since }).length).toBeGreaterThanOrEqual(1);
    expectAppliedOnce(h, BATCH_BLOCK, t.appId, t.followers, since);
  });

  describe('validation and body size', () => {
    let t: Awaited<ReturnType<typeof onboardTenant>>;
    beforeAll(async () => {
      t = await onboardTenant(h, { followers: 1 });
    });

    it.each([
      ['no action', { openids: ['a'] }, 'action'],
      ['an unknown action', { action: 'mute', openids: ['a'] }, 'action'],
      ['no openids', { action: 'block' }, 'openids'],
      ['an empty list', { action: 'block', openids: [] }, 'openids'],
      ['an unknown property', { action: 'block', openids: ['a'], priority: 1 }, 'priority'],
      ['a bad openid', { action: 'block', openids: ['a', 'b c'] }, 'openids[1]'],
    ])('%s → 400 VALIDATION_FAILED', async (_name, body, field) => {
      const res = await createJob(h, t.id, body).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.fields[0].field).toBe(field);
    });

    it('1,000,001 openids → 400 (the body is over 1 MB, which this route accepts); nothing stored', async () => {
      const res = await createJob(h, t.id, { action: 'block', openids: Array.from({ length: 1_000_001 }, () => 'a') }).expect(
        400,
      );
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.fields[0].field).toBe('openids');
      expect(await sql(h, `SELECT 1 FROM blacklist_jobs WHERE tenant_id = $1`, [t.id])).toHaveLength(0);
    });

    it('a 100,000-openid job (3 MB body) is accepted and stored in full; the sync routes keep the 1 MB limit', async () => {
      const openids = Array.from({ length: 100_000 }, (_, i) => `oBig${String(i).padStart(24, '0')}`);
      const started = Date.now();
      const res = await createJob(h, t.id, { action: 'unblock', openids }).expect(202);
      expect(res.body.total).toBe(100_000);
      expect(Date.now() - started).toBeLessThan(20_000);
      await request(h.url).delete(`/v1/tenants/${t.id}/blacklist/jobs/${res.body.id}`).set(bearer(h.operatorKey)).expect(202);
      const counts = await sql<{ n: string }>(h, `SELECT count(*) AS n FROM blacklist_job_items WHERE job_id = $1`, [
        res.body.id,
      ]);
      expect(Number(counts[0].n)).toBe(100_000);
      const chunks = await sql<{ n: string }>(h, `SELECT count(*) AS n FROM blacklist_job_chunks WHERE job_id = $1`, [
        res.body.id,
      ]);
      expect(Number(chunks[0].n)).toBe(5000);
      const big = await request(h.url)
        .post(`/v1/tenants/${t.id}/blacklist/block`)
        .set(bearer(h.operatorKey))
        .send({ openids })
        .expect(413);
      expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
      // Without credentials or with a key that is not valid, nothing is read (401 before the body);
      // with another tenant's key the large limit does not apply: nobody but an allowed caller makes us read 80 MB.
      await request(h.url).post(`/v1/tenants/${t.id}/blacklist/jobs`).send({ action: 'block', openids }).expect(401);
      await request(h.url)
        .post(`/v1/tenants/${t.id}/blacklist/jobs`)
        .set(bearer('wtg_not-a-real-key-000000000000000'))
        .send({ action: 'block', openids })
        .expect(401);
      const other = await onboardTenant(h, { followers: 1 });
      await request(h.url)
        .post(`/v1/tenants/${t.id}/blacklist/jobs`)
        .set(bearer(other.apiKey))
        .send({ action: 'block', openids })
        .expect(413);
      // The tenant's own key does get the large limit (the operator's is exercised above).
      const own = await request(h.url)
        .post(`/v1/tenants/${t.id}/blacklist/jobs`)
        .set(bearer(t.apiKey))
        .send({ action: 'unblock', openids })
        .expect(202);
      await request(h.url).delete(`/v1/tenants/${t.id}/blacklist/jobs/${own.body.id}`).set(bearer(t.apiKey)).expect(202);
      await waitForJob(h.url, h.operatorKey, t.id, res.body.id);
    });
  });

  it('two gateway instances on one database and one WeChat work the queue without sending any chunk twice', async () => {
    const second = await startHarness({
      databaseUrl: h.databaseUrl,
      simulator: h.sim,
      config: (c) => ({
        ...c,
        operatorApiKeys: [h.operatorKey],
        secretsKey: h.config.secretsKey,
        blacklist: { ...c.blacklist, jobs: { pollingIntervalSeconds: 0.5 } },
      }),
    });
    try {
      const t = await onboardTenant(h, { followers: 2000 });
      h.sim.addFault({ api: BATCH_BLOCK, type: 'delay', delayMs: 5, appId: t.appId });
      const since = lastSeq(h.sim);
      const jobs = await Promise.all(
        [0, 1, 2, 3].map((i) =>
          createJob(
            i % 2 ? second : h,
            t.id,
            { action: 'block', openids: t.followers.slice(i * 500, i * 500 + 500) },
            h.operatorKey,
          ).expect(202),
        ),
      );
      for (const j of jobs) expect((await waitForJob(h.url, h.operatorKey, t.id, j.body.id)).job.status).toBe('succeeded');
      expectAppliedOnce(h, BATCH_BLOCK, t.appId, t.followers, since);
    } finally {
      await second.close();
    }
    await sleep(0);
  });
});
