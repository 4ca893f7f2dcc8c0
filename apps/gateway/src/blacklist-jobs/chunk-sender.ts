import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { type BatchAnswer, BatchRun, type BatchStop, BlacklistBatchEngine } from '../blacklist/batch-engine';
import { type BlacklistJobTimings, GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { MetricsService } from '../platform/metrics/metrics.service';
import { BlacklistJobChunksRepository } from './blacklist-job-chunks.repository';
import { BlacklistJobsRepository } from './blacklist-jobs.repository';
import { jobTimings } from './job-queue.service';
import type { BlacklistJob, ClaimedChunk } from './job-records';

/** Failures worth sending again in a job: WeChat unreachable, slow, busy (-1) or rate-limiting. */
const TRANSIENT_CODES = new Set<string>(['WECHAT_UNAVAILABLE', 'RATE_LIMITED']);
const RETRY_BASE_DELAY_MS = 1000;
const RETRY_MAX_DELAY_MS = 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends one claimed chunk's pending openids for the job worker. Transient failures
 * (WECHAT_UNAVAILABLE, RATE_LIMITED) are sent again with backoff for up to
 * transientRetryWindowSeconds since the chunk's first one, instead of failing after the HTTP
 * client's quick tries (the sync routes keep those). Openids whose call's outcome is unknown
 * (timeout, dropped connection) are never reported failed before their state is read back from
 * getblacklist; sending them again is allowed (block/unblock are idempotent) and counted. The
 * window's start, the backoff step and the unknown-outcome openids are stored with the chunk,
 * so a restarted process or another instance continues them. A slice that ends mid-wait hands
 * the chunk back with those openids pending.
 */
@Injectable()
export class ChunkSender {
  private readonly logger = new Logger(ChunkSender.name);
  private readonly timings: BlacklistJobTimings;
  private readonly resentAfterUnknown: Counter;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly chunks: BlacklistJobChunksRepository,
    private readonly jobs: BlacklistJobsRepository,
    private readonly engine: BlacklistBatchEngine,
    metrics: MetricsService,
  ) {
    this.timings = jobTimings(config);
    this.resentAfterUnknown = new Counter({
      name: 'blacklist_job_resent_after_unknown_outcome_total',
      help: 'Openids a job sent again because an earlier call carrying them had an unknown outcome (timeout, dropped connection)',
      registers: [metrics.registry],
    });
  }

  /** Counted on the job (details.resentAfterUnknownOutcome) and in the metric. */
  async countResent(job: BlacklistJob, n: number): Promise<void> {
    this.resentAfterUnknown.inc(n);
    await this.jobs.countResentAfterUnknownOutcome(job.tenantId, job.id, n);
  }

  /** `run`: the chunk's, admitted by the worker. Returns why it stopped, when it did (what it did not send is pending again). */
  async send(
    job: BlacklistJob,
    run: BatchRun,
    chunk: ClaimedChunk,
    openids: string[],
    deadline: number,
    stopping: () => boolean,
  ): Promise<BatchStop | undefined> {
    const tenantId = job.tenantId;
    const windowMs = this.timings.transientRetryWindowSeconds * 1000;
    // Only a chunk that failed before or was reclaimed can hold openids flagged unknown.
    const unknown =
      chunk.reclaimed || chunk.transientFailures > 0
        ? await this.chunks.unknownOutcomeOpenids(tenantId, job.id, chunk.chunkNo)
        : new Set<string>();
    let toSend = openids;
    for (;;) {
      const resent = toSend.filter((o) => unknown.has(o)).length;
      if (resent > 0) await this.countResent(job, resent);
      const transient: BatchAnswer[] = [];
      const unsent = await this.engine.sendBatch(run, toSend, async (answer) => {
        if (answer.outcome === 'failed' && TRANSIENT_CODES.has(answer.code ?? '')) transient.push(answer);
        else await this.chunks.recordAnswer(tenantId, job.id, chunk.chunkNo, answer);
      });
      if (unsent.length > 0) {
        // Not applied by WeChat: back to pending (transient ones too). A quota stop pauses the job;
        // other stops are settled by the gate check before the next chunk.
        await this.chunks.releaseChunk(tenantId, job.id, chunk.chunkNo);
        return run.stop;
      }
      if (transient.length === 0) return undefined;
      const newlyUnknown = transient.filter((a) => a.unknownOutcome).flatMap((a) => a.openids);
      const window = await this.chunks.recordTransientFailure(tenantId, job.id, chunk.chunkNo, newlyUnknown);
      for (const o of newlyUnknown) unknown.add(o);
      if (window.elapsedMs >= windowMs) {
        await this.settleAfterWindow(job, chunk, transient, unknown);
        return undefined;
      }
      // The last try falls on the window's end rather than a backoff step past it.
      const step = Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_DELAY_MS * 2 ** (window.failures - 1)) * (0.5 + Math.random() / 2);
      const delay = Math.min(step, windowMs - window.elapsedMs);
      const room = deadline - Date.now();
      // In short steps, so a stopping instance hands the chunk back at once.
      for (const until = Date.now() + Math.min(delay, room); !stopping() && Date.now() < until;) {
        await sleep(Math.min(250, until - Date.now()));
      }
      // A cancel, too, hands it back: the worker reads back what is unknown and cancels the rest.
      if (stopping() || delay > room || (await this.jobs.get(tenantId, job.id))?.status === 'cancelled') {
        // The slice ends before the backoff does: hand the chunk back, still pending.
        await this.chunks.releaseChunk(tenantId, job.id, chunk.chunkNo);
        return undefined;
      }
      toSend = transient.flatMap((a) => a.openids);
    }
  }

  /**
   * The retry window is over. A failure WeChat answered (e.g. -1) is final; openids a call with
   * an unknown outcome carried are looked up first: applied ones succeeded, the rest failed. If
   * getblacklist cannot be read either, the chunk is handed back pending.
   */
  private async settleAfterWindow(
    job: BlacklistJob,
    chunk: ClaimedChunk,
    transient: BatchAnswer[],
    unknown: Set<string>,
  ): Promise<void> {
    const tenantId = job.tenantId;
    const uncertain = transient.flatMap((a) => a.openids.filter((o) => a.unknownOutcome || unknown.has(o)));
    let applied = new Set<string>();
    if (uncertain.length > 0) {
      try {
        applied = await this.engine.alreadyApplied(tenantId, job.action, uncertain);
      } catch (e) {
        this.logger.warn(
          { tenantId, jobId: job.id, chunk: chunk.chunkNo, err: String((e as Error)?.message ?? e) },
          'outcome unknown and getblacklist unreadable; the chunk stays pending',
        );
        await this.chunks.releaseChunk(tenantId, job.id, chunk.chunkNo);
        return;
      }
    }
    if (applied.size > 0) {
      const answer: BatchAnswer = { outcome: 'succeeded', openids: [...applied], code: null, message: null };
      await this.chunks.recordAnswer(tenantId, job.id, chunk.chunkNo, answer);
    }
    for (const a of transient) {
      const failed = a.openids.filter((o) => !applied.has(o));
      if (failed.length) await this.chunks.recordAnswer(tenantId, job.id, chunk.chunkNo, { ...a, openids: failed });
    }
  }
}
