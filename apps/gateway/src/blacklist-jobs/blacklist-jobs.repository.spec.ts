import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { repositorySpecDatabase } from '../../../../test/support/repository-database';
import type { TenantId } from '../tenants/tenant-id';
import { BlacklistJobChunksRepository } from './blacklist-job-chunks.repository';
import { BlacklistJobsRepository } from './blacklist-jobs.repository';
import type { BlacklistJob } from './job-records';

// Repository tier: the job SQL on a real, migrated database (SKIP LOCKED, leases, finalisation).

const ids = (n: number, prefix = 'o') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('BlacklistJobsRepository + BlacklistJobChunksRepository', () => {
  let ds: DataSource;
  let jobs: BlacklistJobsRepository;
  let chunks: BlacklistJobChunksRepository;

  beforeAll(async () => {
    ({ dataSource: ds } = await repositorySpecDatabase());
    jobs = new BlacklistJobsRepository(ds);
    chunks = new BlacklistJobChunksRepository(ds);
  });
  afterAll(() => ds.destroy());

  async function newTenant(): Promise<TenantId> {
    const rows: { id: TenantId }[] = await ds.query(
      `INSERT INTO tenants (name, status, api_key_hash) VALUES ('repo spec', 'active', md5(random()::text) || md5(random()::text)) RETURNING id`,
    );
    return rows[0].id;
  }

  async function newJob(tenantId: TenantId, openids: string[]): Promise<BlacklistJob> {
    return jobs.create(tenantId, { action: 'block', openids, actor: 'tenant', requestId: 'req-1' }, async () => undefined);
  }

  const chunkRow = async (tenantId: TenantId, jobId: string, chunkNo: number) =>
    (
      await ds.query(
        `SELECT state, claimed_by, lease_until FROM blacklist_job_chunks WHERE tenant_id = $1 AND job_id = $2 AND chunk_no = $3`,
        [tenantId, jobId, chunkNo],
      )
    )[0] as { state: string; claimed_by: string | null; lease_until: Date | null };

  it('create stores the job, one chunk per 20 openids and the items in order; records are camelCase and tenant-scoped', async () => {
    const t = await newTenant();
    let enqueued: string | undefined;
    const job = await jobs.create(
      t,
      { action: 'unblock', openids: ids(45), actor: 'operator', requestId: null },
      async (_tx, id) => {
        enqueued = id;
      },
    );
    expect(enqueued).toBe(job.id);
    expect(job).toMatchObject({ tenantId: t, action: 'unblock', status: 'queued', total: 45, succeeded: 0, finishedAt: null });
    expect(await jobs.get(t, job.id)).toMatchObject({
      id: job.id,
      status: 'queued',
      actor: 'operator',
      createdAt: expect.any(Date),
    });
    expect(await jobs.get(await newTenant(), job.id)).toBeUndefined();
    const { count } = (await ds.query(`SELECT count(*)::int AS count FROM blacklist_job_chunks WHERE job_id = $1`, [job.id]))[0];
    expect(count).toBe(3);
    const items = await jobs.listItems(t, job.id, { afterSeq: 39, limit: 10 });
    expect(items.map((i) => [i.seq, i.openid, i.outcome])).toEqual(ids(5, 'o').map((_, k) => [40 + k, `o${40 + k}`, 'pending']));
  });

  it('a failing enqueue rolls the whole job back', async () => {
    const t = await newTenant();
    await expect(
      jobs.create(t, { action: 'block', openids: ids(3), actor: 'tenant', requestId: null }, async () => {
        throw new Error('queue down');
      }),
    ).rejects.toThrow('queue down');
    expect(await ds.query(`SELECT 1 FROM blacklist_jobs WHERE tenant_id = $1`, [t])).toHaveLength(0);
  });

  it('concurrent claimers (FOR UPDATE SKIP LOCKED) never get the same chunk', async () => {
    const t = await newTenant();
    const job = await newJob(t, ids(20 * 6));
    const claims = await Promise.all(Array.from({ length: 10 }, () => chunks.claimChunk(t, job.id, randomUUID(), 60)));
    const claimed = claims.filter((c) => c !== undefined).map((c) => c.chunkNo);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.every((_, i) => !claims[i]?.reclaimed)).toBe(true);
    // Whatever the race left, every chunk is claimed exactly once overall.
    for (;;) {
      const more = await chunks.claimChunk(t, job.id, randomUUID(), 60);
      if (!more) break;
      expect(claimed).not.toContain(more.chunkNo);
      claimed.push(more.chunkNo);
    }
    expect([...claimed].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('a claim from a chunk number skips the chunks before it and carries only the openids still pending', async () => {
    const t = await newTenant();
    const job = await newJob(t, ids(60));
    const w = randomUUID();
    const second = await chunks.claimChunk(t, job.id, w, 60, 1);
    expect(second).toEqual({ chunkNo: 1, reclaimed: false, transientFailures: 0, pending: ids(60).slice(20, 40) });
    await chunks.recordAnswer(t, job.id, 2, { outcome: 'succeeded', openids: ['o40', 'o45'], code: null, message: null });
    const third = await chunks.claimChunk(t, job.id, w, 60, 2);
    expect(third).toEqual({
      chunkNo: 2,
      reclaimed: false,
      transientFailures: 0,
      pending: ids(60)
        .slice(41, 60)
        .filter((o) => o !== 'o45'),
    });
    expect(await chunks.claimChunk(t, job.id, w, 60, 3)).toBeUndefined();
    expect(await chunks.claimChunk(t, job.id, w, 60, 0)).toMatchObject({ chunkNo: 0 });
  });

  it('a lapsed lease is reclaimable (reclaimed: true); a live one is not', async () => {
    const t = await newTenant();
    const job = await newJob(t, ids(20));
    const dead = randomUUID();
    expect(await chunks.claimChunk(t, job.id, dead, 0.05)).toEqual({
      chunkNo: 0,
      reclaimed: false,
      transientFailures: 0,
      pending: ids(20),
    });
    await sleep(100);
    const other = randomUUID();
    expect(await chunks.claimChunk(t, job.id, other, 60)).toEqual({
      chunkNo: 0,
      reclaimed: true,
      transientFailures: 0,
      pending: ids(20),
    });
    expect(await chunks.claimChunk(t, job.id, dead, 60)).toBeUndefined();
    expect((await chunkRow(t, job.id, 0)).claimed_by).toBe(other);
  });

  it('renewLeases extends only the listed chunks this worker still holds, matched by tenant too', async () => {
    const t = await newTenant();
    const job = await newJob(t, ids(40));
    const me = randomUUID();
    await chunks.claimChunk(t, job.id, me, 1);
    await chunks.claimChunk(t, job.id, me, 1);
    const before0 = (await chunkRow(t, job.id, 0)).lease_until!.getTime();
    const before1 = (await chunkRow(t, job.id, 1)).lease_until!.getTime();
    await chunks.renewLeases(randomUUID(), [{ tenantId: t, jobId: job.id, chunkNo: 0 }], 600);
    await chunks.renewLeases(me, [{ tenantId: await newTenant(), jobId: job.id, chunkNo: 0 }], 600);
    expect((await chunkRow(t, job.id, 0)).lease_until!.getTime()).toBe(before0);
    await chunks.renewLeases(me, [{ tenantId: t, jobId: job.id, chunkNo: 0 }], 600);
    expect((await chunkRow(t, job.id, 0)).lease_until!.getTime()).toBeGreaterThan(before0 + 500_000);
    expect((await chunkRow(t, job.id, 1)).lease_until!.getTime()).toBe(before1);
  });

  it('expireLease hands the chunk over at once; releaseChunk gives it back as pending', async () => {
    const t = await newTenant();
    const job = await newJob(t, ids(20));
    await chunks.claimChunk(t, job.id, randomUUID(), 600);
    await chunks.expireLease(t, job.id, 0);
    await sleep(5);
    const again = await chunks.claimChunk(t, job.id, randomUUID(), 600);
    expect(again).toEqual({ chunkNo: 0, reclaimed: true, transientFailures: 0, pending: ids(20) });
    await chunks.releaseChunk(t, job.id, 0);
    expect(await chunkRow(t, job.id, 0)).toEqual({ state: 'pending', claimed_by: null, lease_until: null });
  });

  it('a chunk’s retry window opens on the database clock at its first transient failure and outlives its claim', async () => {
    const t = await newTenant();
    const job = await newJob(t, ids(20));
    await chunks.claimChunk(t, job.id, randomUUID(), 60);
    const first = await chunks.recordTransientFailure(t, job.id, 0, ['o1', 'o2']);
    expect(first.failures).toBe(1);
    expect(first.elapsedMs).toBeLessThan(1000);
    // As if the window had opened an hour ago, under another process: the next one continues it.
    await ds.query(`UPDATE blacklist_job_chunks SET retry_since = now() - interval '1 hour' WHERE job_id = $1`, [job.id]);
    await chunks.releaseChunk(t, job.id, 0);
    expect(await chunks.claimChunk(t, job.id, randomUUID(), 60)).toEqual({
      chunkNo: 0,
      reclaimed: false,
      transientFailures: 1,
      pending: ids(20),
    });
    expect(await chunks.unknownOutcomeOpenids(t, job.id, 0)).toEqual(new Set(['o1', 'o2']));
    const second = await chunks.recordTransientFailure(t, job.id, 0, ['o3']);
    expect(second.failures).toBe(2);
    expect(second.elapsedMs).toBeGreaterThanOrEqual(3_600_000);
    // An answered openid is no longer pending, so no longer an unknown one to read back.
    await chunks.recordAnswer(t, job.id, 0, { outcome: 'succeeded', openids: ['o1'], code: null, message: null });
    expect(await chunks.unknownOutcomeOpenids(t, job.id, 0)).toEqual(new Set(['o2', 'o3']));
    expect(await chunks.unknownOutcomeOpenids(await newTenant(), job.id, 0)).toEqual(new Set());
  });

  it('answers move counters; the chunk closes once nothing in it is pending; the job finishes once, with the status from its counts', async () => {
    const t = await newTenant();
    const job = await newJob(t, ids(25));
    const finished: BlacklistJob[] = [];
    const onFinished = async (j: BlacklistJob) => void finished.push(j);
    const w = randomUUID();
    expect(await jobs.markRunning(t, job.id)).toBe(true);

    await chunks.claimChunk(t, job.id, w, 60);
    expect(await chunks.pendingOpenids(t, job.id, 0)).toEqual(ids(20));
    await chunks.recordAnswer(t, job.id, 0, { outcome: 'succeeded', openids: ids(19), code: null, message: null });
    await chunks.closeChunkIfAnswered(t, job.id, 0);
    expect((await chunkRow(t, job.id, 0)).state).toBe('in_flight');
    await chunks.recordAnswer(t, job.id, 0, { outcome: 'invalid', openids: ['o19'], code: 'INVALID_OPENID', message: 'no' });
    expect((await chunkRow(t, job.id, 0)).state).toBe('in_flight');
    await chunks.closeChunkIfAnswered(t, job.id, 0);
    expect((await chunkRow(t, job.id, 0)).state).toBe('done');
    expect(await jobs.get(t, job.id)).toMatchObject({ succeeded: 19, invalid: 1 });
    // Recording the same answer twice counts it once.
    await chunks.recordAnswer(t, job.id, 0, { outcome: 'succeeded', openids: ids(19), code: null, message: null });

    expect(await jobs.finalizeIfDone(t, job.id, onFinished)).toMatchObject({ status: 'running', finishedAt: null });
    expect(finished).toHaveLength(0);

    await chunks.claimChunk(t, job.id, w, 60);
    await chunks.recordAnswer(t, job.id, 1, {
      outcome: 'failed',
      openids: ids(5, 'o2'),
      code: 'WECHAT_UNAVAILABLE',
      message: 'x',
    });
    expect(await chunks.hasOpenChunks(t, job.id)).toBe(true);
    await chunks.closeChunkIfAnswered(t, job.id, 1);
    expect(await chunks.hasOpenChunks(t, job.id)).toBe(false);
    const done = await jobs.finalizeIfDone(t, job.id, onFinished);
    expect(done).toMatchObject({
      status: 'partially_failed',
      succeeded: 19,
      invalid: 1,
      failed: 5,
      finishedAt: expect.any(Date),
    });
    expect(finished).toEqual([done]);
    await jobs.finalizeIfDone(t, job.id, onFinished);
    expect(finished).toHaveLength(1);
  });

  it('a failing onFinished rolls the finish back (the audit event commits with it or not at all)', async () => {
    const t = await newTenant();
    const job = await newJob(t, ids(1));
    await chunks.claimChunk(t, job.id, randomUUID(), 60);
    await chunks.recordAnswer(t, job.id, 0, { outcome: 'succeeded', openids: ['o0'], code: null, message: null });
    await chunks.closeChunkIfAnswered(t, job.id, 0);
    await expect(
      jobs.finalizeIfDone(t, job.id, async () => {
        throw new Error('audit down');
      }),
    ).rejects.toThrow('audit down');
    expect(await jobs.get(t, job.id)).toMatchObject({ finishedAt: null });
    expect(await jobs.finalizeIfDone(t, job.id, async () => undefined)).toMatchObject({ status: 'succeeded' });
  });

  it('cancel settles pending chunks as cancelled and leaves chunks in flight to their worker', async () => {
    const t = await newTenant();
    const job = await newJob(t, ids(60));
    await chunks.claimChunk(t, job.id, randomUUID(), 60);
    let readBackLeft = 0;
    const cancelled = await jobs.cancel(t, job.id, async () => void readBackLeft++);
    expect(cancelled).toMatchObject({ status: 'cancelled' });
    expect(await jobs.get(t, job.id)).toMatchObject({ status: 'cancelled', cancelled: 40 });
    expect((await chunkRow(t, job.id, 0)).state).toBe('in_flight');
    expect(readBackLeft).toBe(0);
    expect(await jobs.cancel(await newTenant(), job.id, async () => undefined)).toBeUndefined();
  });

  it('cancel leaves a pending chunk with openids of unknown outcome open until a worker read them back', async () => {
    const t = await newTenant();
    const job = await newJob(t, ids(60));
    await chunks.claimChunk(t, job.id, randomUUID(), 60);
    await chunks.recordTransientFailure(t, job.id, 0, ['o3']);
    await chunks.releaseChunk(t, job.id, 0);
    let readBackLeft = 0;
    await jobs.cancel(t, job.id, async () => void readBackLeft++);
    expect(readBackLeft).toBe(1);
    expect(await jobs.get(t, job.id)).toMatchObject({ status: 'cancelled', cancelled: 40 });
    expect((await chunkRow(t, job.id, 0)).state).toBe('pending');
    // The worker's side: read back (o3 applied), then the rest of the chunk is cancelled.
    await chunks.claimChunk(t, job.id, randomUUID(), 60);
    await chunks.recordAnswer(t, job.id, 0, { outcome: 'succeeded', openids: ['o3'], code: null, message: null });
    await jobs.cancelChunk(t, job.id, 0);
    expect(await jobs.get(t, job.id)).toMatchObject({ succeeded: 1, cancelled: 59 });
    expect(await chunks.hasOpenChunks(t, job.id)).toBe(false);
  });

  it('failRemaining fails every unanswered openid outside live chunks with the code', async () => {
    const t = await newTenant();
    const job = await newJob(t, ids(40));
    await chunks.claimChunk(t, job.id, randomUUID(), 60);
    await jobs.failRemaining(t, job.id, 'TENANT_NOT_ACTIVE', 'gone');
    expect(await jobs.get(t, job.id)).toMatchObject({ failed: 20, errorCode: 'TENANT_NOT_ACTIVE', errorMessage: 'gone' });
    await jobs.abandon(t, job.id, 'given up');
    expect(await jobs.get(t, job.id)).toMatchObject({ failed: 40, errorCode: 'INTERNAL' });
    expect(await chunks.hasOpenChunks(t, job.id)).toBe(false);
  });
});
