import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PgBoss, type Job, type Queue, type SendOptions, type WorkOptions } from 'pg-boss';
import type { EntityManager } from 'typeorm';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { sql } from '../database/sql';
import { RETIRED_SCHEDULES } from './cron-registry';

const PGBOSS_SCHEMA = 'pgboss';
/** How often pg-boss looks for dead workers' jobs, unless the job timings say otherwise. */
const DEFAULT_SUPERVISE_INTERVAL_SECONDS = 5;

/**
 * The one pg-boss instance of the process (its own schema in our database, its own small pool).
 * Features declare their queues and work them through this; scheduled tasks reach it through
 * BackgroundTasks. Started with the module, stopped gracefully with it: handlers still running
 * see `isStopping` and hand their work back.
 */
@Injectable()
export class JobQueue implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(JobQueue.name);
  private boss?: PgBoss;
  private stopping = false;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  get isStopping(): boolean {
    return this.stopping;
  }

  async onModuleInit(): Promise<void> {
    // The blacklist job timings are the only pg-boss tuning the configuration has (tests shorten them).
    const supervise = this.config.blacklist?.jobs?.superviseIntervalSeconds ?? DEFAULT_SUPERVISE_INTERVAL_SECONDS;
    const boss = new PgBoss({
      connectionString: this.config.databaseUrl,
      schema: PGBOSS_SCHEMA,
      application_name: 'wtg-background',
      max: 4,
      superviseIntervalSeconds: supervise,
      monitorIntervalSeconds: supervise,
    });
    // Once stopping, the database may go first (a slow stop runs out of its shutdown step): the
    // queue's lost connections are then expected, not errors.
    boss.on('error', (err: Error) =>
      this.stopping
        ? this.logger.warn({ err: err.message }, 'job queue connection lost while stopping')
        : this.logger.error({ err: err.message }, 'job queue error'),
    );
    await boss.start();
    for (const name of RETIRED_SCHEDULES) await boss.unschedule(name);
    this.boss = boss;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.boss
      ?.stop({ graceful: true, timeout: 20_000 })
      .catch((err: Error) => this.logger.warn({ err: err.message }, 'job queue stop failed'));
  }

  createQueue(name: string, options: Omit<Queue, 'name'>): Promise<void> {
    return this.requireBoss().createQueue(name, options);
  }

  work<T extends object>(name: string, options: WorkOptions, handler: (jobs: Job<T>[]) => Promise<void>): Promise<string> {
    return this.requireBoss().work<T>(name, options, handler);
  }

  /** Makes a worker of this process fetch now rather than at its next poll. */
  notifyWorker(workerId: string): void {
    this.requireBoss().notifyWorker(workerId);
  }

  /** Sends a message, inside the caller's transaction when given one (committed together or not at all). */
  async send(name: string, data: object, options: SendOptions & { tx?: EntityManager } = {}): Promise<void> {
    const { tx, ...rest } = options;
    await this.requireBoss().send(name, data, { ...rest, ...(tx ? { db: transactionDb(tx) } : {}) });
  }

  /** `cron` (UTC) for queue `name`, or none when `off`; the schedule is shared by every instance. */
  async schedule(name: string, cron: string): Promise<void> {
    if (cron === 'off') await this.requireBoss().unschedule(name);
    else await this.requireBoss().schedule(name, cron, null, { tz: 'UTC' });
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
