import { MetricsService } from '../metrics/metrics.service';
import { BatchedDeletes } from './batched-deletes';
import type { JobQueue } from './job-queue.service';

describe('BatchedDeletes', () => {
  const make = (stopping = false) => {
    const metrics = new MetricsService();
    return { metrics, deletes: new BatchedDeletes(metrics, { isStopping: stopping } as JobQueue) };
  };
  const counted = async (metrics: MetricsService) =>
    Object.fromEntries(
      (await metrics.registry.getSingleMetric('background_rows_deleted_total')!.get()).values.map((v) => [
        v.labels.table,
        v.value,
      ]),
    );

  it('deletes batch after batch of at most `limit` until one comes back short, and counts rows per table', async () => {
    const { metrics, deletes } = make();
    let left = 23;
    const limits: number[] = [];
    const total = await deletes.run(
      'rows',
      async (limit) => {
        limits.push(limit);
        const n = Math.min(limit, left);
        left -= n;
        return { rows: n, detail: 2 * n };
      },
      10,
    );
    expect(limits).toEqual([10, 10, 10]);
    expect(total).toEqual({ rows: 23, detail: 46 });
    expect(await counted(metrics)).toEqual({ rows: 23, detail: 46 });
  });

  it('pauses between batches at least as long as a batch took', async () => {
    const { deletes } = make();
    const starts: number[] = [];
    let calls = 0;
    await deletes.run(
      'rows',
      async (limit) => {
        starts.push(Date.now());
        await new Promise((r) => setTimeout(r, 30));
        return { rows: ++calls < 3 ? limit : 0 };
      },
      5,
    );
    expect(starts).toHaveLength(3);
    expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(55);
    expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(55);
  });

  it('stops after the batch in hand when the application is stopping', async () => {
    const { deletes } = make(true);
    let calls = 0;
    await deletes.run(
      'rows',
      async (limit) => {
        calls++;
        return { rows: limit };
      },
      5,
    );
    expect(calls).toBe(1);
  });
});
