// Over 300 lines on purpose: the job lifecycle's SQL (create, streamed intake through a staging
// table, pause, cancel, finalise once) is one aggregate's; chunk claims and leases are already split
// out into blacklist-job-chunks.repository.ts.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { sql } from '../platform/database/sql';
import type { BlacklistAction } from '../blacklist/openid-validation';
import type { TenantId } from '../tenants/tenant-id';
import { type BlacklistJob, CHUNK_SIZE, chunkSeqs, type JobActor, type JobItem } from './job-records';
import { FINAL_STATUSES, type ItemOutcome, jobFinalStatus } from './job-status';

/** A blacklist_jobs row as SQL returns it; handed out as a BlacklistJob. */
interface JobRow {
  id: string;
  tenant_id: TenantId;
  action: BlacklistAction;
  status: BlacklistJob['status'];
  total: number;
  succeeded: number;
  invalid: number;
  failed: number;
  cancelled: number;
  resent_after_unknown_outcome: number;
  actor: JobActor;
  actor_name: string | null;
  request_id: string | null;
  error_code: string | null;
  error_message: string | null;
  resume_at: Date | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const toJob = (r: JobRow): BlacklistJob => ({
  id: r.id,
  tenantId: r.tenant_id,
  action: r.action,
  status: r.status,
  total: r.total,
  succeeded: r.succeeded,
  invalid: r.invalid,
  failed: r.failed,
  cancelled: r.cancelled,
  resentAfterUnknownOutcome: r.resent_after_unknown_outcome,
  actor: r.actor,
  actorName: r.actor_name,
  requestId: r.request_id,
  errorCode: r.error_code,
  errorMessage: r.error_message,
  resumeAt: r.resume_at,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

/** Openids per INSERT statement when storing a job. */
const INSERT_SLICE = 10_000;

/**
 * The job side of the blacklist_jobs aggregate (blacklist_jobs, _chunks, _items): creating a
 * job, reading it and its items, and every status change (run, pause, cancel, fail, finish),
 * each in one transaction with the chunk and item rows it settles. The worker's per-chunk
 * claims, leases and answers are in BlacklistJobChunksRepository (split only to keep files
 * short). Every method is scoped by tenant first. All of it is SQL (unnest bulk inserts, row
 * locks, counters moved in place); even the plain read, which a worker makes before every chunk,
 * where TypeORM's entity hydration showed in the allocation profile.
 */
@Injectable()
export class BlacklistJobsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Stores the job, its chunks and its openids (in multi-row slices) and, in the same
   * transaction, whatever `enqueue` writes (the queue message).
   */
  async create(
    tenantId: TenantId,
    job: { action: BlacklistAction; openids: string[]; actor: JobActor; actorName?: string | null; requestId: string | null },
    enqueue: (tx: EntityManager, jobId: string) => Promise<void>,
  ): Promise<BlacklistJob> {
    const chunkCount = Math.ceil(job.openids.length / CHUNK_SIZE);
    return this.dataSource.transaction(async (tx) => {
      const { rows } = await sql<JobRow>(
        tx,
        `INSERT INTO blacklist_jobs (tenant_id, action, total, chunk_count, actor, actor_name, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [
          tenantId,
          job.action,
          job.openids.length,
          chunkCount,
          job.actor,
          job.actorName ?? null,
          job.requestId?.slice(0, 128) ?? null,
        ],
      );
      const created = toJob(rows[0]);
      await sql(
        tx,
        `INSERT INTO blacklist_job_chunks (tenant_id, job_id, chunk_no) SELECT $1, $2, g FROM generate_series(0, $3::int - 1) AS g`,
        [tenantId, created.id, chunkCount],
      );
      for (let start = 0; start < job.openids.length; start += INSERT_SLICE) {
        await sql(
          tx,
          `INSERT INTO blacklist_job_items (tenant_id, job_id, seq, openid)
           SELECT $1, $2, $3::int + o.ord::int - 1, o.openid FROM unnest($4::varchar[]) WITH ORDINALITY AS o(openid, ord)`,
          [tenantId, created.id, start, job.openids.slice(start, start + INSERT_SLICE)],
        );
      }
      await enqueue(tx, created.id);
      return created;
    });
  }

  /**
   * Like create, for openids that arrive as a stream (batches): staged in a temporary table as
   * they come, then the job, its chunks and its distinct openids (first occurrence first) in the
   * same transaction, so a body that turns out invalid leaves nothing behind.
   */
  async createStreamed(
    tenantId: TenantId,
    job: { action: BlacklistAction; actor: JobActor; actorName?: string | null; requestId: string | null },
    batches: AsyncIterable<string[]>,
    enqueue: (tx: EntityManager, jobId: string) => Promise<void>,
  ): Promise<BlacklistJob> {
    return this.dataSource.transaction(async (tx) => {
      await sql(tx, `CREATE TEMPORARY TABLE job_upload (ord int NOT NULL, openid varchar(64) NOT NULL) ON COMMIT DROP`);
      let received = 0;
      for await (const batch of batches) {
        await sql(
          tx,
          `INSERT INTO job_upload (ord, openid) SELECT $1::int + o.ord::int, o.openid FROM unnest($2::varchar[]) WITH ORDINALITY AS o(openid, ord)`,
          [received, batch],
        );
        received += batch.length;
      }
      const { rows: counted } = await sql<{ total: number }>(tx, `SELECT count(DISTINCT openid)::int AS total FROM job_upload`);
      const total = counted[0].total;
      const chunkCount = Math.ceil(total / CHUNK_SIZE);
      const { rows } = await sql<JobRow>(
        tx,
        `INSERT INTO blacklist_jobs (tenant_id, action, total, chunk_count, actor, actor_name, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [tenantId, job.action, total, chunkCount, job.actor, job.actorName ?? null, job.requestId?.slice(0, 128) ?? null],
      );
      const created = toJob(rows[0]);
      await sql(
        tx,
        `INSERT INTO blacklist_job_chunks (tenant_id, job_id, chunk_no) SELECT $1, $2, g FROM generate_series(0, $3::int - 1) AS g`,
        [tenantId, created.id, chunkCount],
      );
      await sql(
        tx,
        `INSERT INTO blacklist_job_items (tenant_id, job_id, seq, openid)
         SELECT $1, $2, (row_number() OVER (ORDER BY u.first) - 1)::int, u.openid
           FROM (SELECT openid, min(ord) AS first FROM job_upload GROUP BY openid) u`,
        [tenantId, created.id],
      );
      await enqueue(tx, created.id);
      return created;
    });
  }

  /** Read before every chunk a worker claims: plain SQL, no entity hydration on that path. */
  async get(tenantId: TenantId, jobId: string): Promise<BlacklistJob | undefined> {
    const { rows } = await sql<JobRow>(this.dataSource, `SELECT * FROM blacklist_jobs WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      jobId,
    ]);
    return rows[0] && toJob(rows[0]);
  }

  async listItems(
    tenantId: TenantId,
    jobId: string,
    opts: { outcome?: ItemOutcome; afterSeq: number; limit: number },
  ): Promise<JobItem[]> {
    const { rows } = await sql<JobItem>(
      this.dataSource,
      `SELECT seq, openid, outcome, code, message FROM blacklist_job_items
        WHERE tenant_id = $1 AND job_id = $2 AND seq > $3 AND ($4::varchar IS NULL OR outcome = $4::varchar)
        ORDER BY seq LIMIT $5`,
      [tenantId, jobId, opts.afterSeq, opts.outcome ?? null, opts.limit],
    );
    return rows;
  }

  /** queued/paused → running. False when the job is finished, cancelled or not found. */
  async markRunning(tenantId: TenantId, jobId: string): Promise<boolean> {
    const { count } = await sql(
      this.dataSource,
      `UPDATE blacklist_jobs SET status = 'running', started_at = COALESCE(started_at, now()), resume_at = NULL, updated_at = now()
        WHERE tenant_id = $1 AND id = $2 AND status IN ('queued', 'paused', 'running')`,
      [tenantId, jobId],
    );
    return count === 1;
  }

  /**
   * running → paused until `until`; `enqueue` (the delayed resume message) commits with it.
   * False if the job was no longer running (someone else paused it, or it was cancelled).
   */
  async pause(
    tenantId: TenantId,
    jobId: string,
    until: Date,
    onPaused: (job: BlacklistJob, tx: EntityManager) => Promise<void>,
  ): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const { rows } = await sql<JobRow>(
        tx,
        `UPDATE blacklist_jobs SET status = 'paused', resume_at = $3, updated_at = now()
          WHERE tenant_id = $1 AND id = $2 AND status = 'running' RETURNING *`,
        [tenantId, jobId, until],
      );
      if (rows.length === 0) return false;
      await onPaused(toJob(rows[0]), tx);
      return true;
    });
  }

  /**
   * Cancels what has not been sent: pending chunks and their openids end `cancelled`; chunks
   * in flight finish and keep their answers. A pending chunk holding openids whose outcome is
   * unknown stays open for a worker to read back first; `onReadBackLeft` (the queue message
   * that brings one) commits with the cancel then. Returns the job as it stands, or undefined.
   */
  async cancel(
    tenantId: TenantId,
    jobId: string,
    onReadBackLeft: (tx: EntityManager) => Promise<void>,
  ): Promise<BlacklistJob | undefined> {
    return this.dataSource.transaction(async (tx) => {
      const job = await this.lock(tx, tenantId, jobId);
      if (!job || FINAL_STATUSES.has(job.status)) return job;
      await sql(
        tx,
        `UPDATE blacklist_jobs SET status = 'cancelled', resume_at = NULL, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
        [tenantId, jobId],
      );
      if ((await this.cancelPending(tx, tenantId, jobId)) > 0) await onReadBackLeft(tx);
      return { ...job, status: 'cancelled' as const };
    });
  }

  /** Counts openids sent again after a call carrying them had an unknown outcome. */
  async countResentAfterUnknownOutcome(tenantId: TenantId, jobId: string, n: number): Promise<void> {
    await sql(
      this.dataSource,
      `UPDATE blacklist_jobs SET resent_after_unknown_outcome = resent_after_unknown_outcome + $3 WHERE tenant_id = $1 AND id = $2`,
      [tenantId, jobId, n],
    );
  }

  /**
   * Cancels pending chunks, except those holding openids whose outcome is unknown (the worker
   * reads them back, then cancelChunk). Returns how many chunks that left open for reading back.
   */
  async cancelPendingChunks(tenantId: TenantId, jobId: string): Promise<number> {
    return this.dataSource.transaction((tx) => this.cancelPending(tx, tenantId, jobId));
  }

  /**
   * Cancels one open chunk of a cancelled job and its pending openids, once a worker holding it
   * has read back those whose outcome was unknown.
   */
  async cancelChunk(tenantId: TenantId, jobId: string, chunkNo: number): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await sql(
        tx,
        `UPDATE blacklist_job_chunks SET state = 'cancelled', claimed_by = NULL, lease_until = NULL
          WHERE tenant_id = $1 AND job_id = $2 AND chunk_no = $3 AND state IN ('pending', 'in_flight')`,
        [tenantId, jobId, chunkNo],
      );
      const { count } = await sql(
        tx,
        `UPDATE blacklist_job_items SET outcome = 'cancelled'
          WHERE tenant_id = $1 AND job_id = $2 AND seq BETWEEN $3 AND $4 AND outcome = 'pending'`,
        [tenantId, jobId, ...chunkSeqs(chunkNo)],
      );
      await this.settleCancelled(tx, tenantId, jobId, count);
    });
  }

  /**
   * The job cannot go on (the gate failed: not active, not verified, permission gone): every
   * openid not yet answered fails with that code. Chunks another live worker holds finish first.
   */
  async failRemaining(
    tenantId: TenantId,
    jobId: string,
    code: string,
    message: string,
    opts: { includeLive?: boolean } = {},
  ): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const job = await this.lock(tx, tenantId, jobId);
      if (!job || FINAL_STATUSES.has(job.status)) return;
      await sql(
        tx,
        `UPDATE blacklist_job_chunks SET state = 'done', claimed_by = NULL, lease_until = NULL
          WHERE tenant_id = $1 AND job_id = $2 AND (state = 'pending' OR (state = 'in_flight' AND ($3 OR lease_until < now())))`,
        [tenantId, jobId, opts.includeLive ?? false],
      );
      const count = await this.settleItemsOutsideOpenChunks(tx, tenantId, jobId, 'failed', code, message.slice(0, 500));
      await sql(
        tx,
        `UPDATE blacklist_jobs SET failed = failed + $3, error_code = $4, error_message = $5, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
        [tenantId, jobId, count, code, message.slice(0, 1000)],
      );
    });
  }

  /** A job whose queue message was given up: everything unanswered fails with INTERNAL. */
  async abandon(tenantId: TenantId, jobId: string, message: string): Promise<void> {
    await this.failRemaining(tenantId, jobId, 'INTERNAL', message, { includeLive: true });
  }

  /**
   * When no chunk is open any more: the final status (jobFinalStatus) and finishedAt, once (the
   * job row is locked and finished_at checked). `onFinished` runs in that transaction with the
   * finished job, only the one time it finishes (the worker writes the audit event there).
   */
  async finalizeIfDone(
    tenantId: TenantId,
    jobId: string,
    onFinished: (job: BlacklistJob, tx: EntityManager) => Promise<void>,
  ): Promise<BlacklistJob | undefined> {
    return this.dataSource.transaction(async (tx) => {
      const job = await this.lock(tx, tenantId, jobId);
      if (!job || job.finishedAt) return job;
      const open = await sql(
        tx,
        `SELECT 1 FROM blacklist_job_chunks WHERE tenant_id = $1 AND job_id = $2 AND state IN ('pending', 'in_flight') LIMIT 1`,
        [tenantId, jobId],
      );
      if (open.rows.length > 0) return job;
      const { rows } = await sql<JobRow>(
        tx,
        `UPDATE blacklist_jobs SET status = $3, finished_at = now(), resume_at = NULL, updated_at = now()
          WHERE tenant_id = $1 AND id = $2 RETURNING *`,
        [tenantId, jobId, jobFinalStatus(job)],
      );
      const done = toJob(rows[0]);
      await onFinished(done, tx);
      return done;
    });
  }

  private async lock(tx: EntityManager, tenantId: TenantId, jobId: string): Promise<BlacklistJob | undefined> {
    const { rows } = await sql<JobRow>(tx, `SELECT * FROM blacklist_jobs WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [
      tenantId,
      jobId,
    ]);
    return rows[0] && toJob(rows[0]);
  }

  private async cancelPending(tx: EntityManager, tenantId: TenantId, jobId: string): Promise<number> {
    const { rows } = await sql<{ chunk_no: number }>(
      tx,
      `SELECT DISTINCT seq / $3 AS chunk_no FROM blacklist_job_items
        WHERE tenant_id = $1 AND job_id = $2 AND outcome = 'pending' AND outcome_unknown`,
      [tenantId, jobId, CHUNK_SIZE],
    );
    const toReadBack = rows.map((r) => r.chunk_no);
    const { rows: left } = await sql(
      tx,
      `SELECT 1 FROM blacklist_job_chunks WHERE tenant_id = $1 AND job_id = $2 AND state = 'pending' AND chunk_no = ANY($3::int[])`,
      [tenantId, jobId, toReadBack],
    );
    await sql(
      tx,
      `UPDATE blacklist_job_chunks SET state = 'cancelled', claimed_by = NULL, lease_until = NULL
        WHERE tenant_id = $1 AND job_id = $2 AND state = 'pending' AND NOT (chunk_no = ANY($3::int[]))`,
      [tenantId, jobId, toReadBack],
    );
    const count = await this.settleItemsOutsideOpenChunks(tx, tenantId, jobId, 'cancelled', null, null);
    await this.settleCancelled(tx, tenantId, jobId, count);
    return left.length;
  }

  private async settleCancelled(tx: EntityManager, tenantId: TenantId, jobId: string, count: number): Promise<void> {
    if (count === 0) return;
    await sql(tx, `UPDATE blacklist_jobs SET cancelled = cancelled + $3, updated_at = now() WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      jobId,
      count,
    ]);
  }

  /**
   * Gives every pending openid outside the chunks still open (in flight: their worker will
   * answer them; pending ones left to read back) the outcome. Phrased as one scan of the job's
   * items, not a join: a fresh job's tables have no statistics yet, and a join plan guessed
   * without them can be quadratic.
   */
  private async settleItemsOutsideOpenChunks(
    tx: EntityManager,
    tenantId: TenantId,
    jobId: string,
    outcome: 'cancelled' | 'failed',
    code: string | null,
    message: string | null,
  ): Promise<number> {
    const live = await sql<{ chunk_no: number }>(
      tx,
      `SELECT chunk_no FROM blacklist_job_chunks WHERE tenant_id = $1 AND job_id = $2 AND state IN ('pending', 'in_flight')`,
      [tenantId, jobId],
    );
    const { count } = await sql(
      tx,
      `UPDATE blacklist_job_items SET outcome = $3, code = $4, message = $5
        WHERE tenant_id = $1 AND job_id = $2 AND outcome = 'pending' AND NOT (seq / $6 = ANY($7::int[]))`,
      [tenantId, jobId, outcome, code, message, CHUNK_SIZE, live.rows.map((r) => r.chunk_no)],
    );
    return count;
  }
}
