import type { ChangeListener, ChangeNotices } from './change-notices';
import { NoticedCache } from './noticed-cache';

/** A stand-in for the LISTEN connection: the test announces changes and switches listening. */
function notices() {
  const listeners = new Set<ChangeListener>();
  const n = {
    listening: true,
    subscribe: (l: ChangeListener) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    announce: (table: string, tenantId: string) => listeners.forEach((l) => l({ table, tenantId })),
    lose: () => {
      n.listening = false;
      listeners.forEach((l) => l('lost'));
    },
  };
  return n;
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('NoticedCache', () => {
  let n: ReturnType<typeof notices>;
  let loads: string[];
  let value: string;
  let cache: NoticedCache<string, string>;

  beforeEach(() => {
    n = notices();
    loads = [];
    value = 'v1';
    cache = new NoticedCache(n as unknown as ChangeNotices, {
      tables: ['tenants'],
      ttlMs: 1_000,
      load: async (key) => {
        loads.push(key);
        return `${key}:${value}`;
      },
      tenantOf: (key) => key,
    });
  });

  it('keeps a read, and reads again once a change for its tenant is announced', async () => {
    expect(await cache.get('t1')).toBe('t1:v1');
    expect(await cache.get('t1')).toBe('t1:v1');
    expect(loads).toEqual(['t1']);
    value = 'v2';
    n.announce('tenants', 't1');
    expect(await cache.get('t1')).toBe('t1:v2');
    expect(loads).toEqual(['t1', 't1']);
  });

  it('ignores changes to other tenants and to tables it does not copy', async () => {
    await cache.get('t1');
    n.announce('tenants', 't2');
    n.announce('audit_events', 't1');
    await cache.get('t1');
    expect(loads).toEqual(['t1']);
  });

  it('drops everything after a TRUNCATE (tenant "*") or when the connection is lost, and keeps nothing while it is down', async () => {
    await cache.get('t1');
    n.announce('tenants', '*');
    await cache.get('t1');
    expect(loads).toHaveLength(2);
    n.lose();
    await cache.get('t1');
    await cache.get('t1');
    expect(loads).toHaveLength(4);
  });

  it('reads again after the expiry even without a notice', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      await cache.get('t1');
      jest.setSystemTime(999);
      await cache.get('t1');
      expect(loads).toHaveLength(1);
      jest.setSystemTime(1_000);
      await cache.get('t1');
      expect(loads).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('does not keep a read that was under way when a change was announced, and later callers do not join it', async () => {
    const first = deferred<string>();
    const reads: ReturnType<typeof deferred<string>>[] = [first];
    const slow = new NoticedCache<string, string>(n as unknown as ChangeNotices, {
      tables: ['tenants'],
      ttlMs: 60_000,
      load: () => (reads.length > 0 ? reads.shift()!.promise : Promise.resolve('after')),
      tenantOf: (key) => key,
    });
    const before = slow.get('t1');
    n.announce('tenants', 't1');
    // A caller after the announcement must not get the read that may predate the change.
    const after = slow.get('t1');
    first.resolve('before');
    expect(await before).toBe('before');
    expect(await after).toBe('after');
    // And "before" was not kept either.
    expect(await slow.get('t1')).toBe('after');
  });

  it('does not keep entries for which tenantOf says undefined (e.g. an unknown API key)', async () => {
    const unknown = new NoticedCache<string, string | undefined>(n as unknown as ChangeNotices, {
      tables: ['tenants'],
      ttlMs: 60_000,
      load: async (key) => {
        loads.push(key);
        return undefined;
      },
      tenantOf: (_key, v) => v,
    });
    await unknown.get('k');
    await unknown.get('k');
    expect(loads).toEqual(['k', 'k']);
  });
});
