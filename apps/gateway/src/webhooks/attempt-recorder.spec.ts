import { AttemptRecorder } from './attempt-recorder';
import type { AttemptOutcome, ClaimedDelivery, WebhookOutboxRepository } from './webhook-outbox.repository';

const delivery = (n: number): ClaimedDelivery => ({
  endpointId: `ep-${n}`,
  eventId: `ev-${n}`,
  tenantId: null,
  type: 'message.received',
  body: '{}',
  roundAttempts: 0,
  lockToken: `lock-${n}`,
});
const outcome: AttemptOutcome = {
  attempt: { at: new Date(0).toISOString(), httpStatus: 200, durationMs: 1, error: null },
  status: 'delivered',
  nextAttemptAt: null,
};

describe('AttemptRecorder', () => {
  function recorder(opts: { lost?: Set<string>; failGroup?: number } = {}) {
    const groups: number[] = [];
    const outbox = {
      recordAttempts: async (items: { delivery: ClaimedDelivery }[]) => {
        groups.push(items.length);
        await new Promise((r) => setTimeout(r, 5));
        if (opts.failGroup === groups.length) throw new Error('database gone');
        return new Set(
          items.filter((i) => !opts.lost?.has(i.delivery.eventId)).map((i) => `${i.delivery.endpointId}/${i.delivery.eventId}`),
        );
      },
    } as unknown as WebhookOutboxRepository;
    return { r: new AttemptRecorder(outbox), groups };
  }

  it('writes the first attempt at once and groups those that finish while a write is in flight', async () => {
    const { r, groups } = recorder();
    const all = Array.from({ length: 10 }, (_, i) => r.record(delivery(i), outcome));
    expect(await Promise.all(all)).toEqual(Array(10).fill(true));
    expect(groups).toEqual([1, 9]);
    // Alone, an attempt waits for nothing but its own write.
    expect(await r.record(delivery(99), outcome)).toBe(true);
    expect(groups).toEqual([1, 9, 1]);
  });

  it('tells each caller whether its own attempt was recorded', async () => {
    const { r } = recorder({ lost: new Set(['ev-2']) });
    const all = [0, 1, 2, 3].map((i) => r.record(delivery(i), outcome));
    expect(await Promise.all(all)).toEqual([true, true, false, true]);
  });

  it('a failed write fails its own group only; the next group is written', async () => {
    const { r, groups } = recorder({ failGroup: 2 });
    const results = await Promise.allSettled([0, 1, 2].map((i) => r.record(delivery(i), outcome)));
    expect(results.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(await r.record(delivery(5), outcome)).toBe(true);
    expect(groups).toEqual([1, 2, 1]);
  });
});
