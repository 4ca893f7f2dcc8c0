import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MAX_OPENIDS_PER_BATCH } from '@app/wechat';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { BatchAnswer } from './batch-engine';
import type { ItemOutcome, JobStatus } from './dto/blacklist.dto';
import type { BlacklistAction } from './openid-validation';
import { sql } from '../database/sql';
import type { TenantId } from '../tenants/tenant-id';

export const CHUNK_SIZE = MAX_OPENIDS_PER_BATCH;
/** Openids per INSERT statement when storing a job. */
const INSERT_SLICE = 10_000;
export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['succeeded', 'partially_failed', 'failed', 'cancelled']);

export interface JobRow {
  id: string;
  tenant_id: TenantId;
  action: BlacklistAction;
  status: JobStatus;
  total: number;
  succeeded: number;
  invalid: number;
  failed: number;
  cancelled: number;
  actor: 'operator' | 'tenant';
  request_id: string | null;
  error_code: string | null;
  error_message: string | null;
  resume_at: Date | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export interface ClaimedChunk {
  chunkNo: number;
  /** It was in flight under a worker whose lease lapsed: WeChat may already have applied it. */
  reclaimed: boolean;
}

export interface ItemRow {
  seq: number;
  openid: string;
  outcome: ItemOutcome;
  code: string | null;
  message: string | null;
}

const COUNTER: Record<BatchAnswer['outcome'], 'succeeded' | 'invalid' | 'failed'> = {
  succeeded: 'succeeded',
  invalid: 'invalid',
  failed: 'failed',
};

/**
 * Every read and write of blacklist_jobs, _chunks and _items. Each method is scoped by tenant
 * first. Outcomes are written per WeChat answer, in the transaction that also moves the
 * counters and, with the chunk's last answer, closes the chunk.
 */
@Injectable()
export class BlacklistJobStore {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /**
   * Stores the job, its chunks and its openids (in multi-row slices) and, in the same
   * transaction, whatever `enqueue` writes (the queue message).
   */
  async create(
    tenantId: TenantId,
    job: { action: BlacklistAction; openids: string[]; actor: 'operator' | 'tenant'; requestId: string | null },
    enqueue: (tx: EntityManager, jobId: string) => Promise<void>,
  ): Promise<JobRow> {
    const chunkCount = Math.ceil(job.openids.length / CHUNK_SIZE);
    return this.dataSource.transaction(async (tx) => {
      const { rows } = await sql<JobRow>(
        tx,
        `INSERT INTO blacklist_jobs (tenant_id, action, total, chunk_count, actor, request_id)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [tenantId, job.action, job.openids.length, chunkCount, job.actor, job.requestId?.slice(0, 128) ?? null],
      );
      const created = rows[0];
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

  async get(tenantId: TenantId, jobId: string): Promise<JobRow | undefined> {
    const { rows } = await sql<JobRow>(this.dataSource, `SELECT * FROM blacklist_jobs WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      jobId,
    ]);
    return rows[0];
  }

  async listItems(
    tenantId: TenantId,
    jobId: string,
    opts: { outcome?: ItemOutcome; afterSeq: number; limit: number },
  ): Promise<ItemRow[]> {
    const { rows } = await sql<ItemRow>(
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

  /** The next open chunk nobody live holds, leased to `workerId`. */
  async claimChunk(tenantId: TenantId, jobId: string, workerId: string, leaseSeconds: number): Promise<ClaimedChunk | undefined> {
    const { rows } = await sql<{ chunk_no: number; previous: string }>(
      this.dataSource,
      `WITH next AS (
         SELECT chunk_no, state FROM blacklist_job_chunks
          WHERE tenant_id = $1 AND job_id = $2
            AND (state = 'pending' OR (state = 'in_flight' AND lease_until < now()))
          ORDER BY chunk_no LIMIT 1
          FOR UPDATE SKIP LOCKED)
       UPDATE blacklist_job_chunks c
          SET state = 'in_flight', claimed_by = $3, lease_until = now() + make_interval(secs => $4), attempts = c.attempts + 1
         FROM next
        WHERE c.tenant_id = $1 AND c.job_id = $2 AND c.chunk_no = next.chunk_no
       RETURNING c.chunk_no, next.state AS previous`,
      [tenantId, jobId, workerId, leaseSeconds],
    );
    const row = rows[0];
    return row ? { chunkNo: row.chunk_no, reclaimed: row.previous === 'in_flight' } : undefined;
  }

  /** Whether any chunk is still to send or being sent (by anyone). */
  async hasOpenChunks(tenantId: TenantId, jobId: string): Promise<boolean> {
    const { rows } = await sql(
      this.dataSource,
      `SELECT 1 FROM blacklist_job_chunks WHERE tenant_id = $1 AND job_id = $2 AND state IN ('pending', 'in_flight') LIMIT 1`,
      [tenantId, jobId],
    );
    return rows.length > 0;
  }

  async pendingOpenids(tenantId: TenantId, jobId: string, chunkNo: number): Promise<string[]> {
    const { rows } = await sql<{ openid: string }>(
      this.dataSource,
      `SELECT openid FROM blacklist_job_items
        WHERE tenant_id = $1 AND job_id = $2 AND seq BETWEEN $3 AND $4 AND outcome = 'pending' ORDER BY seq`,
      [tenantId, jobId, chunkNo * CHUNK_SIZE, chunkNo * CHUNK_SIZE + CHUNK_SIZE - 1],
    );
    return rows.map((r) => r.openid);
  }

  /**
   * Records one WeChat answer: the openids' outcome, the job's counters and, when nothing in
   * the chunk is left pending, the chunk itself, all in one transaction. The chunk row is
   * locked first so answers of the same chunk (its split halves) are recorded one at a time.
   */
  async recordAnswer(tenantId: TenantId, jobId: string, chunkNo: number, answer: BatchAnswer): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await sql(tx, `SELECT 1 FROM blacklist_job_chunks WHERE tenant_id = $1 AND job_id = $2 AND chunk_no = $3 FOR UPDATE`, [
        tenantId,
        jobId,
        chunkNo,
      ]);
      const { count } = await sql(
        tx,
        `UPDATE blacklist_job_items SET outcome = $6, code = $7, message = $8
          WHERE tenant_id = $1 AND job_id = $2 AND seq BETWEEN $3 AND $4 AND openid = ANY($5::varchar[]) AND outcome = 'pending'`,
        [
          tenantId,
          jobId,
          chunkNo * CHUNK_SIZE,
          chunkNo * CHUNK_SIZE + CHUNK_SIZE - 1,
          answer.openids,
          answer.outcome,
          answer.code,
          answer.message?.slice(0, 500) ?? null,
        ],
      );
      const counter = COUNTER[answer.outcome];
      if (count > 0) {
        await sql(
          tx,
          `UPDATE blacklist_jobs SET ${counter} = ${counter} + $3, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
          [tenantId, jobId, count],
        );
      }
      await this.closeChunkIfAnswered(tenantId, jobId, chunkNo, tx);
    });
  }

  /** Marks the chunk done when none of its openids is pending any more. */
  async closeChunkIfAnswered(tenantId: TenantId, jobId: string, chunkNo: number, tx?: EntityManager): Promise<void> {
    await sql(
      tx ?? this.dataSource,
      `UPDATE blacklist_job_chunks SET state = 'done', claimed_by = NULL, lease_until = NULL
        WHERE tenant_id = $1 AND job_id = $2 AND chunk_no = $3 AND state = 'in_flight'
          AND NOT EXISTS (SELECT 1 FROM blacklist_job_items
                           WHERE tenant_id = $1 AND job_id = $2 AND seq BETWEEN $4 AND $5 AND outcome = 'pending')`,
      [tenantId, jobId, chunkNo, chunkNo * CHUNK_SIZE, chunkNo * CHUNK_SIZE + CHUNK_SIZE - 1],
    );
  }

  /** Gives a chunk back unsent (e.g. the quota ran out): what is pending in it is sent later. */
  async releaseChunk(tenantId: TenantId, jobId: string, chunkNo: number): Promise<void> {
    await sql(
      this.dataSource,
      `UPDATE blacklist_job_chunks SET state = 'pending', claimed_by = NULL, lease_until = NULL
        WHERE tenant_id = $1 AND job_id = $2 AND chunk_no = $3 AND state = 'in_flight'`,
      [tenantId, jobId, chunkNo],
    );
  }

  /**
   * Keeps the chunks this worker is sending leased while it lives; a dead worker's leases
   * lapse. Only the listed chunks: one abandoned after an error must lapse even here.
   */
  async renewLeases(workerId: string, chunks: { jobId: string; chunkNo: number }[], leaseSeconds: number): Promise<void> {
    if (chunks.length === 0) return;
    await sql(
      this.dataSource,
      `UPDATE blacklist_job_chunks c SET lease_until = now() + make_interval(secs => $2)
         FROM unnest($3::uuid[], $4::int[]) AS mine(job_id, chunk_no)
        WHERE c.claimed_by = $1 AND c.state = 'in_flight' AND c.job_id = mine.job_id AND c.chunk_no = mine.chunk_no`,
      [workerId, leaseSeconds, chunks.map((c) => c.jobId), chunks.map((c) => c.chunkNo)],
    );
  }

  /** Ends our lease now: the chunk is reclaimed (and reconciled) as if we had died. */
  async expireLease(tenantId: TenantId, jobId: string, chunkNo: number): Promise<void> {
    await sql(
      this.dataSource,
      `UPDATE blacklist_job_chunks SET lease_until = now() WHERE tenant_id = $1 AND job_id = $2 AND chunk_no = $3 AND state = 'in_flight'`,
      [tenantId, jobId, chunkNo],
    );
  }

  /**
   * running → paused until `until`; `enqueue` (the delayed resume message) commits with it.
   * False if the job was no longer running (someone else paused it, or it was cancelled).
   */
  async pause(tenantId: TenantId, jobId: string, until: Date, enqueue: (tx: EntityManager) => Promise<void>): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const { count } = await sql(
        tx,
        `UPDATE blacklist_jobs SET status = 'paused', resume_at = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2 AND status = 'running'`,
        [tenantId, jobId, until],
      );
      if (count === 0) return false;
      await enqueue(tx);
      return true;
    });
  }

  /**
   * Cancels what has not been sent: pending chunks and their openids end `cancelled`; chunks
   * in flight finish and keep their answers. Returns the job as it stands, or undefined.
   */
  async cancel(tenantId: TenantId, jobId: string): Promise<JobRow | undefined> {
    return this.dataSource.transaction(async (tx) => {
      const { rows } = await sql<JobRow>(tx, `SELECT * FROM blacklist_jobs WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [
        tenantId,
        jobId,
      ]);
      const job = rows[0];
      if (!job || FINAL_STATUSES.has(job.status)) return job;
      await sql(
        tx,
        `UPDATE blacklist_jobs SET status = 'cancelled', resume_at = NULL, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
        [tenantId, jobId],
      );
      await this.cancelChunks(tx, tenantId, jobId, false);
      return { ...job, status: 'cancelled' as const };
    });
  }

  /** Cancels pending chunks (and, with `includeAbandoned`, in-flight ones whose worker died). */
  async cancelOpenChunks(tenantId: TenantId, jobId: string, includeAbandoned: boolean): Promise<void> {
    await this.dataSource.transaction((tx) => this.cancelChunks(tx, tenantId, jobId, includeAbandoned));
  }

  private async cancelChunks(tx: EntityManager, tenantId: TenantId, jobId: string, includeAbandoned: boolean): Promise<void> {
    await sql(
      tx,
      `UPDATE blacklist_job_chunks SET state = 'cancelled', claimed_by = NULL, lease_until = NULL
        WHERE tenant_id = $1 AND job_id = $2 AND (state = 'pending' OR ($3 AND state = 'in_flight' AND lease_until < now()))`,
      [tenantId, jobId, includeAbandoned],
    );
    const count = await this.settleItemsOutsideLiveChunks(tx, tenantId, jobId, 'cancelled', null, null);
    if (count > 0) {
      await sql(tx, `UPDATE blacklist_jobs SET cancelled = cancelled + $3, updated_at = now() WHERE tenant_id = $1 AND id = $2`, [
        tenantId,
        jobId,
        count,
      ]);
    }
  }

  /**
   * Gives every pending openid outside the chunks still in flight (their worker will answer
   * them) the outcome. Phrased as one scan of the job's items, not a join: a fresh job's
   * tables have no statistics yet, and a join plan guessed without them can be quadratic.
   */
  private async settleItemsOutsideLiveChunks(
    tx: EntityManager,
    tenantId: TenantId,
    jobId: string,
    outcome: 'cancelled' | 'failed',
    code: string | null,
    message: string | null,
  ): Promise<number> {
    const live = await sql<{ chunk_no: number }>(
      tx,
      `SELECT chunk_no FROM blacklist_job_chunks WHERE tenant_id = $1 AND job_id = $2 AND state = 'in_flight'`,
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
      const { rows } = await sql<JobRow>(tx, `SELECT status FROM blacklist_jobs WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [
        tenantId,
        jobId,
      ]);
      if (!rows[0] || FINAL_STATUSES.has(rows[0].status)) return;
      await sql(
        tx,
        `UPDATE blacklist_job_chunks SET state = 'done', claimed_by = NULL, lease_until = NULL
          WHERE tenant_id = $1 AND job_id = $2 AND (state = 'pending' OR (state = 'in_flight' AND ($3 OR lease_until < now())))`,
        [tenantId, jobId, opts.includeLive ?? false],
      );
      const count = await this.settleItemsOutsideLiveChunks(tx, tenantId, jobId, 'failed', code, message.slice(0, 500));
      await sql(
        tx,
        `UPDATE blacklist_jobs SET failed = failed + $3, error_code = $4, error_message = $5, updated_at = now() WHERE tenant_id = $1 AND id = $2`,
        [tenantId, jobId, count, code, message.slice(0, 1000)],
      );
    });
  }

  /**
   * When no chunk is open any more: the final status, finishedAt and the job's audit event,
   * once (the job row is locked and finished_at checked).
   */
  async finalizeIfDone(tenantId: TenantId, jobId: string): Promise<JobRow | undefined> {
    return this.dataSource.transaction(async (tx) => {
      const { rows } = await sql<JobRow>(tx, `SELECT * FROM blacklist_jobs WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [
        tenantId,
        jobId,
      ]);
      const job = rows[0];
      if (!job || job.finished_at) return job;
      const open = await sql(
        tx,
        `SELECT 1 FROM blacklist_job_chunks WHERE tenant_id = $1 AND job_id = $2 AND state IN ('pending', 'in_flight') LIMIT 1`,
        [tenantId, jobId],
      );
      if (open.rows.length > 0) return job;
      // The status mirrors the `failed` bucket: invalid openids are the caller's data, reported
      // per item, not a failure of the job (as in the synchronous reply, where they are separate).
      const status: JobStatus =
        job.status === 'cancelled'
          ? 'cancelled'
          : job.failed === 0
            ? 'succeeded'
            : job.succeeded === 0
              ? 'failed'
              : 'partially_failed';
      const done = await sql<JobRow>(
        tx,
        `UPDATE blacklist_jobs SET status = $3, finished_at = now(), resume_at = NULL, updated_at = now()
          WHERE tenant_id = $1 AND id = $2 RETURNING *`,
        [tenantId, jobId, status],
      );
      await this.audit.record(
        tenantId,
        {
          actor: job.actor,
          action: job.action,
          total: job.total,
          succeeded: job.succeeded,
          invalid: job.invalid,
          failed: job.failed,
          jobId: job.id,
          requestId: job.request_id,
        },
        tx,
      );
      return done.rows[0];
    });
  }

  /** Housekeeping: idempotency keys past their 24 hours, oldest first, at most `limit`. */
  async deleteExpiredIdempotencyKeys(limit: number): Promise<number> {
    const { count } = await sql(
      this.dataSource,
      `DELETE FROM blacklist_idempotency_keys WHERE ctid IN (
         SELECT ctid FROM blacklist_idempotency_keys WHERE created_at < now() - interval '24 hours' ORDER BY created_at LIMIT $1)`,
      [limit],
    );
    return count;
  }

  /** Housekeeping: quota blocks that lifted more than a day ago. */
  async deleteLapsedQuotaBlocks(): Promise<number> {
    const { count } = await sql(
      this.dataSource,
      `DELETE FROM wechat_quota_blocks WHERE blocked_until < now() - interval '1 day'`,
    );
    return count;
  }

  /** A job whose queue message was given up: everything unanswered fails with INTERNAL. */
  async abandon(tenantId: TenantId, jobId: string, message: string): Promise<void> {
    await this.failRemaining(tenantId, jobId, 'INTERNAL', message, { includeLive: true });
  }
}
