import type { SessionLocks } from './session-locks';
import { isFresh, REFRESH_MARGIN_MS, SingleFlightRefresh, storedTokenServes } from './single-flight-refresh';

/** A locked section the test resolves by hand, recording how it was called. */
function stubLockedSection() {
  const calls: { key: string; failedToken?: string; resolve: (t: string) => void; reject: (e: Error) => void }[] = [];
  const underLock = (key: string, failedToken: string | undefined) =>
    new Promise<string>((resolve, reject) => calls.push({ key, failedToken, resolve, reject }));
  const lockNames: string[] = [];
  // The lock is a module boundary (a PostgreSQL session lock): held at once here.
  const locks = {
    hold: <T>(name: string, work: () => Promise<T>) => {
      lockNames.push(name);
      return work();
    },
  } as unknown as SessionLocks;
  const flights = new SingleFlightRefresh<string>({ locks: () => locks, lockName: (k) => `wtg:test:${k}`, underLock });
  return { calls, lockNames, flights };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('SingleFlightRefresh', () => {
  it('shares one flight among concurrent callers of the same key', async () => {
    const { calls, flights } = stubLockedSection();
    const a = flights.refresh('t1');
    const b = flights.refresh('t1');
    const c = flights.refresh('t1');
    expect(calls).toHaveLength(1);
    calls[0].resolve('new-token');
    await expect(Promise.all([a, b, c])).resolves.toEqual(['new-token', 'new-token', 'new-token']);
  });

  it('runs each flight holding the named lock of its key', async () => {
    const { calls, lockNames, flights } = stubLockedSection();
    const a = flights.refresh('t1');
    calls[0].resolve('x');
    await a;
    expect(lockNames).toEqual(['wtg:test:t1']);
  });

  it('starts a second flight for a caller whose failed token came back from the shared one', async () => {
    const { calls, flights } = stubLockedSection();
    const first = flights.refresh('t1');
    const failedCaller = flights.refresh('t1', 'old-token');
    expect(calls).toHaveLength(1);
    calls[0].resolve('old-token'); // the flight re-read the stored (failed) token
    await expect(first).resolves.toBe('old-token');
    await tick();
    expect(calls).toHaveLength(2);
    expect(calls[1].failedToken).toBe('old-token');
    calls[1].resolve('fresh-token');
    await expect(failedCaller).resolves.toBe('fresh-token');
  });

  it('does not share flights between different keys', async () => {
    const { calls, flights } = stubLockedSection();
    const a = flights.refresh('t1');
    const b = flights.refresh('t2');
    expect(calls.map((c) => c.key)).toEqual(['t1', 't2']);
    calls[0].resolve('a');
    calls[1].resolve('b');
    await expect(Promise.all([a, b])).resolves.toEqual(['a', 'b']);
  });

  it('propagates a failure to every waiter and clears the flight', async () => {
    const { calls, flights } = stubLockedSection();
    const a = flights.refresh('t1');
    const b = flights.refresh('t1');
    calls[0].reject(new Error('wechat down'));
    await expect(a).rejects.toThrow('wechat down');
    await expect(b).rejects.toThrow('wechat down');
    const again = flights.refresh('t1');
    expect(calls).toHaveLength(2);
    calls[1].resolve('recovered');
    await expect(again).resolves.toBe('recovered');
  });
});

describe('freshness', () => {
  it('needs more than the refresh margin left', () => {
    const now = Date.now();
    expect(isFresh(null, now)).toBe(false);
    expect(isFresh(new Date(now + REFRESH_MARGIN_MS), now)).toBe(false);
    expect(isFresh(new Date(now + REFRESH_MARGIN_MS + 1000), now)).toBe(true);
  });

  it('never reuses the failed token under the lock', () => {
    const later = new Date(Date.now() + 2 * REFRESH_MARGIN_MS);
    expect(storedTokenServes('tok', later, undefined)).toBe(true);
    expect(storedTokenServes('tok', later, 'tok')).toBe(false);
    expect(storedTokenServes(null, later, undefined)).toBe(false);
  });
});
