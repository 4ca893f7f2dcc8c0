// Slightly over 300 lines: the worker's loop, pause and finalisation read as one story; the
// chunk sending and its retry window are already split out into chunk-sender.ts.
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DomainError } from '@app/common';
import { randomUUID } from 'node:crypto';
import type { Job } from 'pg-boss';
import { type BlacklistJobTimings, GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { BatchRun, BlacklistBatchEngine } from '../blacklist/batch-engine';
import { ChunkSender } from './chunk-sender';
import type { TenantId } from '../tenants/tenant-id';
import { TenantCalls } from '../tenant-calls/tenant-calls.service';
import { BlacklistJobChunksRepository } from './blacklist-job-chunks.repository';
import { BlacklistJobsRepository } from './blacklist-jobs.repository';
import { BLACKLIST_JOB_RETRY_LIMIT, BlacklistJobQueue, type BlacklistJobMessage, jobTimings } from './job-queue.service';
import type { BlacklistJob, ClaimedChunk, HeldChunk } from './job-records';
import { toJobView } from './job-view';
import { WebhookPublisher } from '../webhooks/webhook-publisher';

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
  private readonly held = new Map<string, HeldChunk>();
  private leaseTimer?: NodeJS.Timeout;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly queue: BlacklistJobQueue,
    private readonly jobs: BlacklistJobsRepository,
    private readonly chunks: BlacklistJobChunksRepository,
    private readonly engine: BlacklistBatchEngine,
    private readonly calls: TenantCalls,
    private readonly audit: AuditService,
    private readonly webhooks: WebhookPublisher,
    private readonly sender: ChunkSender,
  ) {
    this.timings = jobTimings(config);
    this.concurrency = Math.max(1, config.blacklist.concurrencyPerTenant);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.leaseTimer = setInterval(() => void this.renewLeases(), (this.timings.chunkLeaseSeconds * 1000) / 3);
    this.leaseTimer.unref();
    await this.queue.work((job) => this.handle(job));
  }

  /**
   * Closes the job once no chunk is open: its final status and, in the same transaction and
   * only the one time it finishes, its audit event. Returns the job as it stands.
   */
  finalize(tenantId: TenantId, jobId: string): Promise<BlacklistJob | undefined> {
    return this.jobs.finalizeIfDone(tenantId, jobId, async (job, tx) => {
      await this.recordAudit(job, tx);
      await this.webhooks.publish(tx, {
        type: 'blacklist.job.finished',
        tenantId: job.tenantId,
        data: { tenantId: job.tenantId, job: { ...toJobView(job) } },
      });
    });
  }

  private recordAudit(job: BlacklistJob, tx: EntityManager): Promise<void> {
    return this.audit.record(
      job.tenantId,
      {
        actor: job.actor,
        actorName: job.actorName,
        action: job.action,
        total: job.total,
        succeeded: job.succeeded,
        invalid: job.invalid,
        failed: job.failed,
        jobId: job.id,
        requestId: job.requestId,
      },
      tx,
    );
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
      if (message.retryCount < BLACKLIST_JOB_RETRY_LIMIT) throw e;
      // The queue gives up after this attempt: account for every openid rather than leave the job running forever.
      await this.jobs.abandon(tenantId, jobId, 'The job could not be completed after repeated internal errors.');
      await this.finalize(tenantId, jobId);
    }
  }

  private async work(tenantId: TenantId, jobId: string, signal: AbortSignal): Promise<void> {
    const job = await this.jobs.get(tenantId, jobId);
    if (!job || job.finishedAt) return;
    if (job.status === 'paused' && job.resumeAt && job.resumeAt.getTime() > Date.now() + 1000) {
      // An early (duplicate) message: make sure the job still wakes at its reset.
      await this.queue.send({ tenantId, jobId }, { startAfter: job.resumeAt });
      return;
    }
    if (job.status !== 'cancelled' && !(await this.jobs.markRunning(tenantId, jobId))) return;
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
    const finished = await this.finalize(tenantId, jobId);
    if (ends.includes('yield') && !finished?.finishedAt) {
      // Back of the queue: other jobs get a turn, and a stopping instance hands the job on.
      await this.queue.send({ tenantId, jobId });
    }
  }

  /** One of `concurrency` parallel claim-and-send loops on a job. */
  private async loop(job: BlacklistJob, slice: Slice, signal: AbortSignal): Promise<LoopEnd> {
    const tenantId = job.tenantId;
    // Chunks are claimed in order, so the next open one is past our last claim, unless one was
    // handed back or a lease lapsed: those are found by looking again from 0 before giving up.
    let from = 0;
    for (;;) {
      const current = await this.jobs.get(tenantId, job.id);
      if (!current || current.finishedAt) return 'done';
      if (current.status === 'cancelled') {
        // Pending chunks were cancelled by the request; a dead worker's chunk may have reached
        // WeChat, and so may openids of unknown outcome in a pending one: those are read back
        // before what is left of the chunk is cancelled.
        await this.jobs.cancelPendingChunks(tenantId, job.id);
        const abandoned = await this.chunks.claimChunk(tenantId, job.id, this.workerId, this.timings.chunkLeaseSeconds);
        if (abandoned) {
          await this.cancelAbandonedChunk(job, abandoned);
          continue;
        }
        if (!(await this.chunks.hasOpenChunks(tenantId, job.id))) return 'done';
        await sleep(500);
        continue;
      }
      if (current.status === 'paused') return 'paused';
      if (this.queue.isStopping || signal.aborted || slice.failed || Date.now() > slice.deadline) return 'yield';
      // Each chunk is a run: admitted here (the gate, the shared quota block), then sent.
      const run = new BatchRun(tenantId, job.action);
      let blocked: Date | undefined;
      try {
        blocked = await this.calls.admit(tenantId, run.api, run);
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        this.logger.warn({ tenantId, jobId: job.id, reason: e.code }, 'blacklist job stopped: the gate no longer passes');
        await this.jobs.failRemaining(tenantId, job.id, e.code, e.message);
        return 'done';
      }
      if (blocked) {
        await this.pause(tenantId, job.id, blocked);
        return 'paused';
      }
      const chunk = await this.chunks.claimChunk(tenantId, job.id, this.workerId, this.timings.chunkLeaseSeconds, from);
      if (!chunk && from > 0) {
        from = 0;
        continue;
      }
      if (!chunk) {
        if (!(await this.chunks.hasOpenChunks(tenantId, job.id))) return 'done';
        // Another worker is sending the last chunks; if it dies its lease lapses and we take over.
        await sleep(500);
        continue;
      }
      from = chunk.chunkNo + 1;
      await this.sendChunk(job, chunk, slice, run);
    }
  }

  private async sendChunk(job: BlacklistJob, chunk: ClaimedChunk, slice: Slice, run: BatchRun): Promise<void> {
    const tenantId = job.tenantId;
    const heldKey = `${job.id}:${chunk.chunkNo}`;
    this.held.set(heldKey, { tenantId, jobId: job.id, chunkNo: chunk.chunkNo });
    try {
      let openids = chunk.pending;
      if (chunk.reclaimed && openids.length > 0) openids = await this.reconcile(job, chunk, openids);
      if (openids.length === 0) {
        await this.chunks.closeChunkIfAnswered(tenantId, job.id, chunk.chunkNo);
        return;
      }
      const stop = await this.sender.send(job, run, chunk, openids, slice.deadline, () => this.queue.isStopping || slice.failed);
      // Once, after the chunk's last answer (a chunk handed back pending is left as it is).
      await this.chunks.closeChunkIfAnswered(tenantId, job.id, chunk.chunkNo);
      if (stop?.kind === 'quota') await this.pause(tenantId, job.id, stop.until);
    } catch (e) {
      // We may have sent it without recording the answer: let it be reclaimed and reconciled.
      await this.chunks.expireLease(tenantId, job.id, chunk.chunkNo).catch(() => undefined);
      throw e;
    } finally {
      this.held.delete(heldKey);
    }
  }

  /**
   * The chunk was in flight under a worker that died: its call may have reached WeChat. Ask
   * getblacklist which openids already are where the action puts them, record those as
   * succeeded and send only the rest. If that cannot be read, re-send (blocking and
   * unblocking twice leaves WeChat in the same state), flagged as of unknown outcome so they are
   * counted as re-sent and read back before they could fail.
   */
  private async reconcile(job: BlacklistJob, chunk: ClaimedChunk, openids: string[]): Promise<string[]> {
    try {
      const applied = await this.engine.alreadyApplied(job.tenantId, job.action, openids);
      this.logger.log(
        { tenantId: job.tenantId, jobId: job.id, chunk: chunk.chunkNo, alreadyApplied: applied.size, pending: openids.length },
        'reconciled a chunk left in flight by a stopped worker',
      );
      if (applied.size === 0) return openids;
      await this.chunks.recordAnswer(job.tenantId, job.id, chunk.chunkNo, {
        outcome: 'succeeded',
        openids: [...applied],
        code: null,
        message: null,
      });
      return openids.filter((o) => !applied.has(o));
    } catch (e) {
      this.logger.warn(
        { tenantId: job.tenantId, jobId: job.id, chunk: chunk.chunkNo, err: String((e as Error)?.message ?? e) },
        'could not reconcile; re-sending the chunk',
      );
      await this.chunks.markOutcomeUnknown(job.tenantId, job.id, chunk.chunkNo, openids);
      return openids;
    }
  }

  /**
   * A cancelled job's chunk that a worker left in flight, or that holds openids whose call had
   * an unknown outcome: those are never reported cancelled while their state is unknown. Those
   * getblacklist shows applied succeeded; the rest are cancelled. If getblacklist cannot be read,
   * the chunk is left to be claimed again.
   */
  private async cancelAbandonedChunk(job: BlacklistJob, chunk: ClaimedChunk): Promise<void> {
    const tenantId = job.tenantId;
    const openids = chunk.pending;
    const flagged = chunk.reclaimed ? undefined : await this.chunks.unknownOutcomeOpenids(tenantId, job.id, chunk.chunkNo);
    const uncertain = flagged ? openids.filter((o) => flagged.has(o)) : openids;
    if (uncertain.length > 0) {
      try {
        const applied = await this.engine.alreadyApplied(tenantId, job.action, uncertain);
        if (applied.size > 0) {
          await this.chunks.recordAnswer(tenantId, job.id, chunk.chunkNo, {
            outcome: 'succeeded',
            openids: [...applied],
            code: null,
            message: null,
          });
          await this.chunks.closeChunkIfAnswered(tenantId, job.id, chunk.chunkNo);
        }
      } catch (e) {
        this.logger.warn(
          { tenantId, jobId: job.id, chunk: chunk.chunkNo, err: String((e as Error)?.message ?? e) },
          'cancelled job: a chunk of unknown outcome cannot be read back yet; it stays open',
        );
        await this.chunks.expireLease(tenantId, job.id, chunk.chunkNo);
        await sleep(1000);
        return;
      }
    }
    await this.jobs.cancelChunk(tenantId, job.id, chunk.chunkNo);
  }

  private async pause(tenantId: TenantId, jobId: string, until: Date): Promise<void> {
    // A second past the reset, so the resumed worker finds the block lifted.
    const startAfter = new Date(until.getTime() + 1000);
    const paused = await this.jobs.pause(tenantId, jobId, until, async (job, tx) => {
      await this.queue.send({ tenantId, jobId }, { startAfter, tx });
      await this.webhooks.publish(tx, { type: 'blacklist.job.paused', tenantId, data: { tenantId, job: { ...toJobView(job) } } });
    });
    if (paused) this.logger.warn({ tenantId, jobId, resumeAt: until.toISOString() }, 'blacklist job paused: daily quota reached');
  }

  private async renewLeases(): Promise<void> {
    try {
      await this.chunks.renewLeases(this.workerId, [...this.held.values()], this.timings.chunkLeaseSeconds);
    } catch (e) {
      this.logger.warn({ err: String((e as Error)?.message ?? e) }, 'could not renew chunk leases');
    }
  }
}
