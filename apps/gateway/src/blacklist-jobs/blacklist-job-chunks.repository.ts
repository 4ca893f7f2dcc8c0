import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { BatchAnswer } from '../blacklist/batch-engine';
import { sql } from '../platform/database/sql';
import type { TenantId } from '../tenants/tenant-id';
import { CHUNK_SIZE, type ClaimedChunk, chunkSeqs, type HeldChunk } from './job-records';

const COUNTER: Record<BatchAnswer['outcome'], 'succeeded' | 'invalid' | 'failed'> = {
  succeeded: 'succeeded',
  invalid: 'invalid',
  failed: 'failed',
};

/**
 * The worker's side of the blacklist_jobs aggregate: claiming chunks (FOR UPDATE SKIP LOCKED),
 * keeping and ending their leases, reading their pending openids, keeping their transient-failure
 * retry window and the openids whose outcome is unknown, recording each WeChat answer with the
 * job's counters (one statement each, no per-answer transaction) and closing the chunk after its
 * last answer. Every method is scoped by tenant first, except `renewLeases`:
 * one statement renews all of this process's chunks whatever their tenant, each named by its
 * own (tenant, job, chunk) and the worker id.
 */
@Injectable()
export class BlacklistJobChunksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The next open chunk from `fromChunk` on that nobody live holds, leased to `workerId`, with
   * its pending openids (one round trip fewer per chunk than reading them after). The update
   * finds its row by primary key (a scalar subquery, not a join: on a fresh job, without
   * statistics, the join was planned as a scan of all the job's chunks, which made claiming a
   * million-openid job quadratic). `fromChunk` lets a loop skip what it already walked past (the
   * index keeps entries of done chunks until vacuum); a caller that finds nothing from there
   * looks again from 0.
   */
  async claimChunk(
    tenantId: TenantId,
    jobId: string,
    workerId: string,
    leaseSeconds: number,
    fromChunk = 0,
  ): Promise<ClaimedChunk | undefined> {
    const { rows } = await sql<{ chunk_no: number; previous: string; retry_attempts: number; pending: string[] }>(
      this.dataSource,
      `WITH next AS (
         SELECT chunk_no, state FROM blacklist_job_chunks
          WHERE tenant_id = $1 AND job_id = $2 AND chunk_no >= $5
            AND (state = 'pending' OR (state = 'in_flight' AND lease_until < now()))
          ORDER BY chunk_no LIMIT 1
          FOR UPDATE SKIP LOCKED)
       UPDATE blacklist_job_chunks c
          SET state = 'in_flight', claimed_by = $3, lease_until = now() + make_interval(secs => $4), attempts = c.attempts + 1
        WHERE c.tenant_id = $1 AND c.job_id = $2 AND c.chunk_no = (SELECT chunk_no FROM next)
       RETURNING c.chunk_no, (SELECT state FROM next) AS previous, c.retry_attempts,
         ARRAY(SELECT i.openid FROM blacklist_job_items i
                WHERE i.tenant_id = $1 AND i.job_id = $2 AND i.seq BETWEEN c.chunk_no * $6 AND c.chunk_no * $6 + $6 - 1
                  AND i.outcome = 'pending' ORDER BY i.seq) AS pending`,
      [tenantId, jobId, workerId, leaseSeconds, fromChunk, CHUNK_SIZE],
    );
    const row = rows[0];
    return row
      ? {
          chunkNo: row.chunk_no,
          reclaimed: row.previous === 'in_flight',
          transientFailures: row.retry_attempts,
          pending: row.pending,
        }
      : undefined;
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
      [tenantId, jobId, ...chunkSeqs(chunkNo)],
    );
    return rows.map((r) => r.openid);
  }

  /**
   * Pending openids of the chunk that a call with an unknown outcome carried (flagged by
   * recordTransientFailure or markOutcomeUnknown): they are read back before they may fail.
   */
  async unknownOutcomeOpenids(tenantId: TenantId, jobId: string, chunkNo: number): Promise<Set<string>> {
    const { rows } = await sql<{ openid: string }>(
      this.dataSource,
      `SELECT openid FROM blacklist_job_items
        WHERE tenant_id = $1 AND job_id = $2 AND seq BETWEEN $3 AND $4 AND outcome = 'pending' AND outcome_unknown`,
      [tenantId, jobId, ...chunkSeqs(chunkNo)],
    );
    return new Set(rows.map((r) => r.openid));
  }

  /** Flags pending openids whose call's outcome is unknown (timeout, dropped connection, a dead worker). */
  async markOutcomeUnknown(
    tenantId: TenantId,
    jobId: string,
    chunkNo: number,
    openids: string[],
    tx?: EntityManager,
  ): Promise<void> {
    if (openids.length === 0) return;
    await sql(
      tx ?? this.dataSource,
      `UPDATE blacklist_job_items SET outcome_unknown = true
        WHERE tenant_id = $1 AND job_id = $2 AND seq BETWEEN $3 AND $4 AND openid = ANY($5::varchar[])
          AND outcome = 'pending' AND NOT outcome_unknown`,
      [tenantId, jobId, ...chunkSeqs(chunkNo), openids],
    );
  }

  /**
   * One more transient failure of the chunk, with the openids among it whose outcome is unknown.
   * The first opens the chunk's retry window on the database clock, so whichever process sends
   * the chunk next (after a restart, or another instance) continues the same window and backoff.
   * Returns the failures so far and the time since the window opened, both as stored.
   */
  async recordTransientFailure(
    tenantId: TenantId,
    jobId: string,
    chunkNo: number,
    unknownOpenids: string[],
  ): Promise<{ failures: number; elapsedMs: number }> {
    return this.dataSource.transaction(async (tx) => {
      await this.markOutcomeUnknown(tenantId, jobId, chunkNo, unknownOpenids, tx);
      const { rows } = await sql<{ retry_attempts: number; elapsed_ms: number }>(
        tx,
        `UPDATE blacklist_job_chunks SET retry_since = COALESCE(retry_since, now()), retry_attempts = retry_attempts + 1
          WHERE tenant_id = $1 AND job_id = $2 AND chunk_no = $3
        RETURNING retry_attempts, greatest(0, extract(epoch FROM now() - retry_since) * 1000)::float8 AS elapsed_ms`,
        [tenantId, jobId, chunkNo],
      );
      return { failures: rows[0].retry_attempts, elapsedMs: rows[0].elapsed_ms };
    });
  }

  /**
   * Records one WeChat answer: the openids' outcome and the job's counter, in one statement (so
   * both or neither). The chunk is not closed here: its sender closes it once, after its last
   * answer (closeChunkIfAnswered), which also spares the row lock that concurrent answers of one
   * chunk (its split halves) would otherwise need to see each other's work.
   */
  async recordAnswer(tenantId: TenantId, jobId: string, chunkNo: number, answer: BatchAnswer): Promise<void> {
    const counter = COUNTER[answer.outcome];
    await sql(
      this.dataSource,
      `WITH answered AS (
         UPDATE blacklist_job_items SET outcome = $6, code = $7, message = $8
          WHERE tenant_id = $1 AND job_id = $2 AND seq BETWEEN $3 AND $4 AND openid = ANY($5::varchar[]) AND outcome = 'pending'
          RETURNING 1),
       n AS (SELECT count(*)::int AS n FROM answered)
       UPDATE blacklist_jobs SET ${counter} = ${counter} + n.n, updated_at = now()
         FROM n WHERE tenant_id = $1 AND id = $2 AND n.n > 0`,
      [
        tenantId,
        jobId,
        ...chunkSeqs(chunkNo),
        answer.openids,
        answer.outcome,
        answer.code,
        answer.message?.slice(0, 500) ?? null,
      ],
    );
  }

  /** Marks the chunk done when none of its openids is pending any more. */
  async closeChunkIfAnswered(tenantId: TenantId, jobId: string, chunkNo: number, tx?: EntityManager): Promise<void> {
    await sql(
      tx ?? this.dataSource,
      `UPDATE blacklist_job_chunks SET state = 'done', claimed_by = NULL, lease_until = NULL
        WHERE tenant_id = $1 AND job_id = $2 AND chunk_no = $3 AND state = 'in_flight'
          AND NOT EXISTS (SELECT 1 FROM blacklist_job_items
                           WHERE tenant_id = $1 AND job_id = $2 AND seq BETWEEN $4 AND $5 AND outcome = 'pending')`,
      [tenantId, jobId, chunkNo, ...chunkSeqs(chunkNo)],
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
   * lapse. Only the listed chunks (each with its tenant), still claimed by `workerId`: one
   * abandoned after an error must lapse even here.
   */
  async renewLeases(workerId: string, chunks: readonly HeldChunk[], leaseSeconds: number): Promise<void> {
    if (chunks.length === 0) return;
    await sql(
      this.dataSource,
      `UPDATE blacklist_job_chunks c SET lease_until = now() + make_interval(secs => $2)
         FROM unnest($3::uuid[], $4::uuid[], $5::int[]) AS mine(tenant_id, job_id, chunk_no)
        WHERE c.claimed_by = $1 AND c.state = 'in_flight'
          AND c.tenant_id = mine.tenant_id AND c.job_id = mine.job_id AND c.chunk_no = mine.chunk_no`,
      [workerId, leaseSeconds, chunks.map((c) => c.tenantId), chunks.map((c) => c.jobId), chunks.map((c) => c.chunkNo)],
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
   * Retention across tenants: up to `limit` items, then as many chunks, of jobs finished more than
   * `days` ago. The job row and its counts stay.
   */
  async deleteFinishedJobsDetail(days: number, limit: number): Promise<{ items: number; chunks: number }> {
    const finished = `SELECT tenant_id, id FROM blacklist_jobs WHERE finished_at < now() - make_interval(days => $1)`;
    const items = await sql(
      this.dataSource,
      `DELETE FROM blacklist_job_items WHERE ctid = ANY(ARRAY(
         SELECT i.ctid FROM (${finished}) j JOIN blacklist_job_items i ON i.tenant_id = j.tenant_id AND i.job_id = j.id LIMIT $2))`,
      [days, limit],
    );
    const chunks = await sql(
      this.dataSource,
      `DELETE FROM blacklist_job_chunks WHERE ctid = ANY(ARRAY(
         SELECT c.ctid FROM (${finished}) j JOIN blacklist_job_chunks c ON c.tenant_id = j.tenant_id AND c.job_id = j.id LIMIT $2))`,
      [days, limit],
    );
    return { items: items.count, chunks: chunks.count };
  }
}
