import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import { JobQueue } from './job-queue.service';

/** Rows per statement: short row locks and a short statement, never a table rewrite. */
export const DELETE_BATCH_ROWS = 5000;
/** One run stops after this long; the next occurrence goes on where it stopped. */
const RUN_BUDGET_MS = 10 * 60_000;
const MIN_PAUSE_MS = 10;

/** Rows one batch removed, by table; the first table is the one being swept. */
export type DeletedRows = Record<string, number>;

/**
 * How retention sweeps delete: batch after batch of at most `limit` rows, each its own short
 * statement, pausing after each as long as it took, so a sweep holds at most half of one
 * connection's time and the requests keep theirs. Counted per table in
 * background_rows_deleted_total{table}.
 */
@Injectable()
export class BatchedDeletes {
  private readonly deleted: Counter<'table'>;

  constructor(
    metrics: MetricsService,
    private readonly queue: JobQueue,
  ) {
    this.deleted = new Counter({
      name: 'background_rows_deleted_total',
      help: 'Rows removed by retention sweeps, by table',
      labelNames: ['table'] as const,
      registers: [metrics.registry],
    });
  }

  /** Runs `deleteBatch` until a batch removes fewer than `limit` rows of `table`; the rows removed, by table. */
  async run(
    table: string,
    deleteBatch: (limit: number) => Promise<DeletedRows>,
    limit = DELETE_BATCH_ROWS,
  ): Promise<DeletedRows> {
    const total: DeletedRows = { [table]: 0 };
    const deadline = Date.now() + RUN_BUDGET_MS;
    for (;;) {
      const started = Date.now();
      const batch = await deleteBatch(limit);
      for (const [t, n] of Object.entries(batch)) {
        total[t] = (total[t] ?? 0) + n;
        if (n > 0) this.deleted.inc({ table: t }, n);
      }
      if ((batch[table] ?? 0) < limit || this.queue.isStopping || Date.now() > deadline) return total;
      const took = Date.now() - started;
      await new Promise((r) => setTimeout(r, Math.max(MIN_PAUSE_MS, took)));
    }
  }
}
