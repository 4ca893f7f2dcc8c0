import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Counter, Histogram } from 'prom-client';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { MetricsService } from '../metrics/metrics.service';
import { CronTask, type CronTaskHandler, LoopTask, type LoopTaskHandler } from './background-task';
import { CRON_SCHEDULES, type CronTaskName } from './cron-registry';
import { JobQueue } from './job-queue.service';
import { TaskLoop } from './task-loop';

const CRON_POLL_SECONDS = 15;

/** What /health/ready says about one task, as this instance saw it. */
export interface TaskHealth {
  /** The cron expression (UTC) or `off`; for a loop, `loop`. */
  schedule: string;
  lastSuccessAt: string | null;
}

/**
 * Runs every background task: each `@CronTask` on its pg-boss schedule (one queue per task, one
 * job per occurrence, at most one queued or running across instances), each `@LoopTask` on its
 * own loop on every instance. Every run is counted and timed the same way
 * (`background_task_runs_total{task,outcome}`, `background_task_duration_seconds{task}`) and its
 * last success kept for /health/ready.
 */
@Injectable()
export class BackgroundTasks implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BackgroundTasks.name);
  private readonly runs: Counter<'task' | 'outcome'>;
  private readonly durations: Histogram<'task'>;
  private readonly tasks = new Map<string, TaskHealth>();
  /** pg-boss worker id of each scheduled task's queue. */
  private readonly cronWorkers = new Map<CronTaskName, string>();
  private readonly loops = new Map<string, TaskLoop>();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly discovery: DiscoveryService,
    private readonly queue: JobQueue,
    metrics: MetricsService,
  ) {
    this.runs = new Counter({
      name: 'background_task_runs_total',
      help: 'Background task runs on this instance, by task and outcome (succeeded, failed)',
      labelNames: ['task', 'outcome'] as const,
      registers: [metrics.registry],
    });
    this.durations = new Histogram({
      name: 'background_task_duration_seconds',
      help: 'Background task run duration in seconds, by task',
      labelNames: ['task'] as const,
      buckets: [0.005, 0.025, 0.1, 0.5, 1, 5, 30, 120, 600],
      registers: [metrics.registry],
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const wrapper of this.discovery.getProviders({ metadataKey: CronTask.KEY })) {
      const name = this.discovery.getMetadataByDecorator(CronTask, wrapper) as CronTaskName;
      await this.startCron(name, wrapper.instance as CronTaskHandler);
    }
    for (const wrapper of this.discovery.getProviders({ metadataKey: LoopTask.KEY })) {
      const name = this.discovery.getMetadataByDecorator(LoopTask, wrapper) as string;
      const loop = new TaskLoop(wrapper.instance as LoopTaskHandler, (signal) =>
        this.track(name, () => (wrapper.instance as LoopTaskHandler).run(signal)),
      );
      this.loops.set(name, loop);
      this.tasks.set(name, { schedule: 'loop', lastSuccessAt: null });
      loop.start();
    }
  }

  /** Stops the loops and waits for their runs in flight (pg-boss stops its own workers with JobQueue). */
  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.loops.values()].map((l) => l.stop()));
  }

  /** Every task this instance runs, and when each last succeeded here. */
  health(): Record<string, TaskHealth> {
    return Object.fromEntries(this.tasks);
  }

  /** A loop runs again as soon as its current run ends (or now, when idle). */
  wake(name: string): void {
    this.loops.get(name)?.wake();
  }

  /**
   * Queues one run of a scheduled task now, as an occurrence of its schedule would: one job per
   * minute however many instances ask, which one instance works.
   */
  async runSoon(name: CronTaskName): Promise<void> {
    const worker = this.cronWorkers.get(name);
    if (!worker) throw new Error(`no scheduled task ${name} (or its schedule is off)`);
    await this.queue.send(name, {}, { singletonKey: 'run-soon', singletonSeconds: 60 });
    this.queue.notifyWorker(worker);
  }

  private async startCron(name: CronTaskName, handler: CronTaskHandler): Promise<void> {
    const cron = CRON_SCHEDULES[name](this.config);
    this.tasks.set(name, { schedule: cron, lastSuccessAt: null });
    await this.queue.createQueue(name, {
      policy: 'exclusive',
      retryLimit: 0,
      expireInSeconds: 3600,
      deleteAfterSeconds: 7 * 86_400,
    });
    await this.queue.schedule(name, cron);
    if (cron === 'off') return;
    // A slow poll: occurrences are minutes apart, and every instance polls every scheduled queue.
    const worker = await this.queue.work(name, { pollingIntervalSeconds: CRON_POLL_SECONDS }, async () => {
      await this.track(name, () => handler.run());
    });
    this.cronWorkers.set(name, worker);
  }

  private async track(name: string, run: () => Promise<unknown>): Promise<void> {
    const end = this.durations.startTimer({ task: name });
    try {
      await run();
      this.runs.inc({ task: name, outcome: 'succeeded' });
      const health = this.tasks.get(name);
      if (health) health.lastSuccessAt = new Date().toISOString();
    } catch (e) {
      this.runs.inc({ task: name, outcome: 'failed' });
      this.logger.error({ task: name, err: String((e as Error)?.message ?? e) }, 'background task failed');
      throw e;
    } finally {
      end();
    }
  }
}
