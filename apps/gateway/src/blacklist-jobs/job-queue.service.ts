import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PgBoss, type Job } from 'pg-boss';
import type { EntityManager } from 'typeorm';
import { sql } from '../database/sql';
import { type BlacklistJobTimings, GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import type { TenantId } from '../tenants/tenant-id';

export const BLACKLIST_QUEUE = 'blacklist-jobs';
/** Hourly housekeeping (expired idempotency keys, lapsed quota blocks), run by one instance per hour. */
export const MAINTENANCE_QUEUE = 'blacklist-maintenance';
const PGBOSS_SCHEMA = 'pgboss';
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
 * pg-boss (its own schema in our database) carries "work on job X" messages; the job's items
 * and progress live in our tables. A worker that dies stops heart-beating and pg-boss hands
 * its message to another instance. Started with the module, stopped (gracefully) with it.
 */
@Injectable()
export class BlacklistJobQueue implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(BlacklistJobQueue.name);
  private readonly timings: BlacklistJobTimings;
  private boss?: PgBoss;
  private stopping = false;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    this.timings = jobTimings(config);
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  async onModuleInit(): Promise<void> {
    const boss = new PgBoss({
      connectionString: this.config.databaseUrl,
      schema: PGBOSS_SCHEMA,
      application_name: 'wtg-blacklist-queue',
      max: 4,
      superviseIntervalSeconds: this.timings.superviseIntervalSeconds,
      monitorIntervalSeconds: this.timings.superviseIntervalSeconds,
    });
    boss.on('error', (err: Error) => this.logger.error({ err: err.message }, 'job queue error'));
    await boss.start();
    await boss.createQueue(BLACKLIST_QUEUE, {
      heartbeatSeconds: this.timings.heartbeatSeconds,
      // A message is a slice of work (sliceSeconds) plus in-flight calls; heartbeats, not this, detect dead workers.
      expireInSeconds: Math.max(900, this.timings.sliceSeconds * 5),
      retryLimit: BLACKLIST_JOB_RETRY_LIMIT,
      retryDelay: 2,
      retryBackoff: true,
      retryDelayMax: 120,
      deleteAfterSeconds: 86_400,
    });
    await boss.createQueue(MAINTENANCE_QUEUE, { retryLimit: 1, expireInSeconds: 300, deleteAfterSeconds: 86_400 });
    await boss.schedule(MAINTENANCE_QUEUE, '17 * * * *');
    this.boss = boss;
  }

  async workMaintenance(handler: () => Promise<void>): Promise<void> {
    await this.requireBoss().work(MAINTENANCE_QUEUE, { pollingIntervalSeconds: 30 }, async () => handler());
  }

  /** Registers the worker; called once the whole application is wired. */
  async work(handler: JobHandler): Promise<void> {
    await this.requireBoss().work<BlacklistJobMessage>(
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
    const db = opts.tx ? transactionDb(opts.tx) : undefined;
    await this.requireBoss().send(
      BLACKLIST_QUEUE,
      { ...message },
      {
        group: { id: message.tenantId },
        ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
        ...(db ? { db } : {}),
      },
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    // Graceful: running handlers see isStopping, finish their chunk and hand the job back.
    await this.boss
      ?.stop({ graceful: true, timeout: 20_000 })
      .catch((err: Error) => this.logger.warn({ err: err.message }, 'job queue stop failed'));
  }

  private requireBoss(): PgBoss {
    if (!this.boss) throw new Error('job queue not started');
    return this.boss;
  }
}

/** pg-boss's database interface over a TypeORM transaction: pg-boss's own SQL, passed through. */
function transactionDb(tx: EntityManager) {
  return {
    executeSql: async (text: string, values?: unknown[]) => ({ rows: (await sql<unknown>(tx, text, values ?? [])).rows }),
  };
}
