import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DomainError } from '@app/common';
import { randomUUID } from 'node:crypto';
import type { Job } from 'pg-boss';
import { type BlacklistJobTimings, GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { ACTION_API, BatchRun, BlacklistBatchEngine } from './batch-engine';
import { BlacklistGate } from './blacklist-gate.service';
import { BlacklistJobStore, type ClaimedChunk, type JobRow } from './blacklist-job-store';
import { BlacklistJobQueue, type BlacklistJobMessage, jobTimings } from './job-queue.service';
import { QuotaBlocksService } from './quota-blocks.service';
import type { TenantId } from '../tenants/tenant-id';

type LoopEnd = 'done' | 'paused' | 'yield';

/** One handler run: its loops stop at the deadline, or as soon as one of them failed. */
interface Slice {
  deadline: number;
  failed: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Works blacklist jobs from the queue, chunk by chunk. Each chunk is claimed with
 * FOR UPDATE SKIP LOCKED and leased; every WeChat answer is recorded before the next call
 * that depends on it, so a new process resumes a killed job without re-sending answered
 * chunks. A chunk whose worker died mid-call is reconciled against getblacklist first.
 */
@Injectable()
export class BlacklistJobWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BlacklistJobWorker.name);
  /** This process; chunk leases name it. */
  readonly workerId = randomUUID();
  private readonly timings: BlacklistJobTimings;
  private readonly concurrency: number;
  private readonly held = new Map<string, { jobId: string; chunkNo: number }>();
  private leaseTimer?: NodeJS.Timeout;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly queue: BlacklistJobQueue,
    private readonly store: BlacklistJobStore,
    private readonly engine: BlacklistBatchEngine,
    private readonly gate: BlacklistGate,
    private readonly quota: QuotaBlocksService,
  ) {
    this.timings = jobTimings(config);
    this.concurrency = Math.max(1, config.blacklist.concurrencyPerTenant);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.leaseTimer = setInterval(() => void this.renewLeases(), (this.timings.chunkLeaseSeconds * 1000) / 3);
    this.leaseTimer.unref();
    await this.queue.work((job) => this.handle(job));
    await this.queue.workMaintenance(() => this.housekeeping());
  }

  /** Expired idempotency keys and lapsed quota blocks are only clutter; they go in bounded batches. */
  async housekeeping(): Promise<void> {
    const removed = { idempotencyKeys: 0, quotaBlocks: 0 };
    for (;;) {
      const n = await this.store.deleteExpiredIdempotencyKeys(5000);
      removed.idempotencyKeys += n;
      if (n < 5000) break;
    }
    removed.quotaBlocks = await this.store.deleteLapsedQuotaBlocks();
    this.logger.log(removed, 'blacklist housekeeping done');
  }

  onModuleDestroy(): void {
    if (this.leaseTimer) clearInterval(this.leaseTimer);
  }

  private async handle(message: Job<BlacklistJobMessage>): Promise<void> {
    const { tenantId, jobId } = message.data;
    try {
      await this.work(tenantId, jobId, message.signal);
    } catch (e) {
      this.logger.error(
        { tenantId, jobId, attempt: message.retryCount, err: String((e as Error)?.message ?? e) },
        'blacklist job attempt failed',
      );
      if (message.retryCount < this.queue.retryLimit) throw e;
      // The queue gives up after this attempt: account for every openid rather than leave the job running forever.
      await this.store.abandon(tenantId, jobId, 'The job could not be completed after repeated internal errors.');
      await this.store.finalizeIfDone(tenantId, jobId);
    }
  }

  private async work(tenantId: TenantId, jobId: string, signal: AbortSignal): Promise<void> {
    const job = await this.store.get(tenantId, jobId);
    if (!job || job.finished_at) return;
    if (job.status === 'paused' && job.resume_at && job.resume_at.getTime() > Date.now() + 1000) {
      // An early (duplicate) message: make sure the job still wakes at its reset.
      await this.queue.send({ tenantId, jobId }, { startAfter: job.resume_at });
      return;
    }
    if (job.status !== 'cancelled' && !(await this.store.markRunning(tenantId, jobId))) return;
    const slice: Slice = { deadline: Date.now() + this.timings.sliceSeconds * 1000, failed: false };
    const settled = await Promise.allSettled(
      Array.from({ length: this.concurrency }, () =>
        this.loop(job, slice, signal).catch((e) => {
          // The others stop at their next chunk instead of running on after this attempt failed.
          slice.failed = true;
          throw e;
        }),
      ),
    );
    const failure = settled.find((r) => r.status === 'rejected');
    if (failure) throw failure.reason;
    const ends = settled.map((r) => (r as PromiseFulfilledResult<LoopEnd>).value);
    const finished = await this.store.finalizeIfDone(tenantId, jobId);
    if (ends.includes('yield') && !finished?.finished_at) {
      // Back of the queue: other jobs get a turn, and a stopping instance hands the job on.
      await this.queue.send({ tenantId, jobId });
    }
  }

  /** One of `concurrency` parallel claim-and-send loops on a job. */
  private async loop(job: JobRow, slice: Slice, signal: AbortSignal): Promise<LoopEnd> {
    const tenantId = job.tenant_id;
    const api = ACTION_API[job.action];
    for (;;) {
      const current = await this.store.get(tenantId, job.id);
      if (!current || current.finished_at) return 'done';
      if (current.status === 'cancelled') {
        // Pending chunks were cancelled by the request; a dead worker's chunk is cancelled here.
        await this.store.cancelOpenChunks(tenantId, job.id, true);
        if (!(await this.store.hasOpenChunks(tenantId, job.id))) return 'done';
        await sleep(500);
        continue;
      }
      if (current.status === 'paused') return 'paused';
      if (this.queue.isStopping || signal.aborted || slice.failed || Date.now() > slice.deadline) return 'yield';
      try {
        await this.gate.assertAllowed(tenantId, api);
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        this.logger.warn({ tenantId, jobId: job.id, reason: e.code }, 'blacklist job stopped: the gate no longer passes');
        await this.store.failRemaining(tenantId, job.id, e.code, e.message);
        return 'done';
      }
      const blocked = await this.quota.blockedUntil(tenantId, api);
      if (blocked) {
        await this.pause(tenantId, job.id, blocked);
        return 'paused';
      }
      const chunk = await this.store.claimChunk(tenantId, job.id, this.workerId, this.timings.chunkLeaseSeconds);
      if (!chunk) {
        if (!(await this.store.hasOpenChunks(tenantId, job.id))) return 'done';
        // Another worker is sending the last chunks; if it dies its lease lapses and we take over.
        await sleep(500);
        continue;
      }
      await this.sendChunk(job, chunk);
    }
  }

  private async sendChunk(job: JobRow, chunk: ClaimedChunk): Promise<void> {
    const tenantId = job.tenant_id;
    const heldKey = `${job.id}:${chunk.chunkNo}`;
    this.held.set(heldKey, { jobId: job.id, chunkNo: chunk.chunkNo });
    try {
      let openids = await this.store.pendingOpenids(tenantId, job.id, chunk.chunkNo);
      if (chunk.reclaimed && openids.length > 0) openids = await this.reconcile(job, chunk, openids);
      if (openids.length === 0) {
        await this.store.closeChunkIfAnswered(tenantId, job.id, chunk.chunkNo);
        return;
      }
      const run = new BatchRun(tenantId, job.action);
      const unsent = await this.engine.sendBatch(run, openids, (answer) =>
        this.store.recordAnswer(tenantId, job.id, chunk.chunkNo, answer),
      );
      if (unsent.length > 0) {
        // Not applied by WeChat: back to pending. A quota stop pauses the job; other stops are
        // settled by the gate check before the next chunk.
        await this.store.releaseChunk(tenantId, job.id, chunk.chunkNo);
        if (run.stop?.kind === 'quota') await this.pause(tenantId, job.id, run.stop.until);
      }
    } catch (e) {
      // We may have sent it without recording the answer: let it be reclaimed and reconciled.
      await this.store.expireLease(tenantId, job.id, chunk.chunkNo).catch(() => undefined);
      throw e;
    } finally {
      this.held.delete(heldKey);
    }
  }

  /**
   * The chunk was in flight under a worker that died: its call may have reached WeChat. Ask
   * getblacklist which openids already are where the action puts them, record those as
   * succeeded and send only the rest. If that cannot be read, re-send (blocking and
   * unblocking twice leaves WeChat in the same state).
   */
  private async reconcile(job: JobRow, chunk: ClaimedChunk, openids: string[]): Promise<string[]> {
    try {
      const applied = await this.engine.alreadyApplied(job.tenant_id, job.action, openids);
      this.logger.log(
        { tenantId: job.tenant_id, jobId: job.id, chunk: chunk.chunkNo, alreadyApplied: applied.size, pending: openids.length },
        'reconciled a chunk left in flight by a stopped worker',
      );
      if (applied.size === 0) return openids;
      await this.store.recordAnswer(job.tenant_id, job.id, chunk.chunkNo, {
        outcome: 'succeeded',
        openids: [...applied],
        code: null,
        message: null,
      });
      return openids.filter((o) => !applied.has(o));
    } catch (e) {
      this.logger.warn(
        { tenantId: job.tenant_id, jobId: job.id, chunk: chunk.chunkNo, err: String((e as Error)?.message ?? e) },
        'could not reconcile; re-sending the chunk',
      );
      return openids;
    }
  }

  private async pause(tenantId: TenantId, jobId: string, until: Date): Promise<void> {
    // A second past the reset, so the resumed worker finds the block lifted.
    const startAfter = new Date(until.getTime() + 1000);
    const paused = await this.store.pause(tenantId, jobId, until, (tx) =>
      this.queue.send({ tenantId, jobId }, { startAfter, tx }),
    );
    if (paused) this.logger.warn({ tenantId, jobId, resumeAt: until.toISOString() }, 'blacklist job paused: daily quota reached');
  }

  private async renewLeases(): Promise<void> {
    try {
      await this.store.renewLeases(this.workerId, [...this.held.values()], this.timings.chunkLeaseSeconds);
    } catch (e) {
      this.logger.warn({ err: String((e as Error)?.message ?? e) }, 'could not renew chunk leases');
    }
  }
}
