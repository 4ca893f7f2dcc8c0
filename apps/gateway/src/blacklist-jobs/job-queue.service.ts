import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Job } from 'pg-boss';
import type { EntityManager } from 'typeorm';
import { JobQueue } from '../platform/background/job-queue.service';
import { type BlacklistJobTimings, GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import type { TenantId } from '../tenants/tenant-id';

export const BLACKLIST_QUEUE = 'blacklist-jobs';
/**
 * Retries pg-boss allows a job message before it gives the message up. The queue is created
 * with it, and the worker abandons the job (fails what is unanswered) on the attempt that has
 * used them all: one number, so the two cannot disagree.
 */
export const BLACKLIST_JOB_RETRY_LIMIT = 20;

/** What a queue message carries: which job to work on, never its openids. */
export interface BlacklistJobMessage {
  tenantId: TenantId;
  jobId: string;
}

export const DEFAULT_JOB_TIMINGS: BlacklistJobTimings = {
  heartbeatSeconds: 10,
  superviseIntervalSeconds: 5,
  pollingIntervalSeconds: 1,
  chunkLeaseSeconds: 15,
  sliceSeconds: 60,
  workersPerInstance: 8,
  runningJobsPerTenant: 2,
  transientRetryWindowSeconds: 3600,
};

export function jobTimings(config: GatewayConfig): BlacklistJobTimings {
  return { ...DEFAULT_JOB_TIMINGS, ...config.blacklist.jobs };
}

export type JobHandler = (job: Job<BlacklistJobMessage>) => Promise<void>;

/**
 * The blacklist-jobs queue on the gateway's pg-boss (platform/background/JobQueue): "work on job X"
 * messages; the job's items and progress live in our tables. A worker that dies stops
 * heart-beating and pg-boss hands its message to another instance.
 */
@Injectable()
export class BlacklistJobQueue implements OnModuleInit {
  private readonly timings: BlacklistJobTimings;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly queue: JobQueue,
  ) {
    this.timings = jobTimings(config);
  }

  /** True once the application is stopping: running handlers finish their chunk and hand the job back. */
  get isStopping(): boolean {
    return this.queue.isStopping;
  }

  async onModuleInit(): Promise<void> {
    await this.queue.createQueue(BLACKLIST_QUEUE, {
      heartbeatSeconds: this.timings.heartbeatSeconds,
      // A message is a slice of work (sliceSeconds) plus in-flight calls; heartbeats, not this, detect dead workers.
      expireInSeconds: Math.max(900, this.timings.sliceSeconds * 5),
      retryLimit: BLACKLIST_JOB_RETRY_LIMIT,
      retryDelay: 2,
      retryBackoff: true,
      retryDelayMax: 120,
      deleteAfterSeconds: 86_400,
    });
  }

  /** Registers the worker; called once the whole application is wired. */
  async work(handler: JobHandler): Promise<void> {
    await this.queue.work<BlacklistJobMessage>(
      BLACKLIST_QUEUE,
      {
        localConcurrency: this.timings.workersPerInstance,
        pollingIntervalSeconds: this.timings.pollingIntervalSeconds,
        batchSize: 1,
        // Fairness across tenants, across instances: pg-boss's fetch skips a message whose group
        // (its tenant) already has this many active, so one tenant's backlog cannot hold every
        // worker and a newcomer's job starts at the next poll. Checked in the database by the fetch.
        groupConcurrency: this.timings.runningJobsPerTenant,
      },
      async ([job]) => handler(job),
    );
  }

  /**
   * Enqueues "work on this job", inside the caller's transaction when given one, so a job row
   * and its queue message are committed together or not at all.
   */
  async send(message: BlacklistJobMessage, opts: { startAfter?: Date; tx?: EntityManager } = {}): Promise<void> {
    await this.queue.send(
      BLACKLIST_QUEUE,
      { ...message },
      {
        group: { id: message.tenantId },
        ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
        ...(opts.tx ? { tx: opts.tx } : {}),
      },
    );
  }
}
