import type { GatewayConfig } from '../platform/config/gateway-config';
import { TenantCallLimiter } from './tenant-call-limiter';
import type { TenantId } from '../tenants/tenant-id';

const T = 't' as TenantId;

const limiter = (concurrencyPerTenant: number, callsPerSecondPerTenant: number) =>
  new TenantCallLimiter({ blacklist: { concurrencyPerTenant, callsPerSecondPerTenant } } as GatewayConfig);

describe('TenantCallLimiter', () => {
  it('keeps at most N calls of one tenant running, other tenants unaffected', async () => {
    const l = limiter(2, 10_000);
    const running = { a: 0, b: 0 };
    const peak = { a: 0, b: 0 };
    const call = (t: 'a' | 'b') =>
      l.run(t as TenantId, async () => {
        peak[t] = Math.max(peak[t], ++running[t]);
        await new Promise((r) => setTimeout(r, 20));
        running[t]--;
      });
    await Promise.all([...Array.from({ length: 6 }, () => call('a')), ...Array.from({ length: 3 }, () => call('b'))]);
    expect(peak).toEqual({ a: 2, b: 2 });
  });

  // On a fake clock: a real timer is scheduled from the event loop's cached time, which under load
  // can lag the call by over a millisecond, so wall-clock bounds here measured the machine.
  describe('on a fake clock', () => {
    beforeEach(() => jest.useFakeTimers({ now: 0 }));
    afterEach(() => jest.useRealTimers());

    it('spaces the starts of one tenant 1/rate apart', async () => {
      const l = limiter(10, 50);
      const starts: number[] = [];
      const all = Promise.all(Array.from({ length: 6 }, () => l.run(T, async () => void starts.push(Date.now()))));
      await jest.advanceTimersByTimeAsync(200);
      await all;
      expect(starts).toEqual([0, 20, 40, 60, 80, 100]);
    });

    it('above 1,000 calls/s starts a burst at once while its debt stays under 10 ms, and still holds the rate', async () => {
      // "At once" means without a timer.
      // 5,000/s: slots 0.2 ms apart. 50 simultaneous calls owe 0-9.8 ms: none waits for a timer.
      const l = limiter(500, 5000);
      const first: number[] = [];
      const burst = Promise.all(Array.from({ length: 50 }, () => l.run(T, async () => void first.push(Date.now()))));
      await jest.advanceTimersByTimeAsync(0);
      expect(first).toEqual(Array.from({ length: 50 }, () => 0));
      await burst;
      // 200 more owe 10-49.8 ms: beyond the 10 ms allowance each waits for its own slot.
      const later: number[] = [];
      const rest = Promise.all(Array.from({ length: 200 }, () => l.run(T, async () => void later.push(Date.now()))));
      await jest.advanceTimersByTimeAsync(5);
      expect(later.length).toBeLessThanOrEqual(1);
      await jest.advanceTimersByTimeAsync(15);
      // By 20 ms, slots up to 20 (+1 for the timer's whole milliseconds): about 55, not 200.
      expect(later.length).toBeGreaterThanOrEqual(50);
      expect(later.length).toBeLessThanOrEqual(56);
      await jest.advanceTimersByTimeAsync(30);
      await rest;
      expect(later).toHaveLength(200);
      expect(Math.max(...later)).toBeGreaterThanOrEqual(49);
    });

    it('at 1,000 calls/s and below keeps every call to its slot', async () => {
      const l = limiter(100, 1000);
      const starts: number[] = [];
      const all = Promise.all(Array.from({ length: 10 }, () => l.run(T, async () => void starts.push(Date.now()))));
      await jest.advanceTimersByTimeAsync(0);
      // Only the first slot is due: no early start below 1 ms spacing.
      expect(starts).toEqual([0]);
      await jest.advanceTimersByTimeAsync(20);
      await all;
      // Slots 1 ms apart, each call at its own.
      expect(starts).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });
  });

  it('releases its slot when the call fails', async () => {
    const l = limiter(1, 10_000);
    await expect(l.run(T, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(l.run(T, async () => 'ok')).resolves.toBe('ok');
  });
});
