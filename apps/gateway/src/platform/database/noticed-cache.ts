import type { ChangeNotice, ChangeNotices } from './change-notices';

export interface NoticedCacheOptions<K, V> {
  /** The tables whose changes (for the entry's tenant) drop an entry. */
  tables: readonly string[];
  /** The safety net: an entry is read again after this long even if no change was announced. */
  ttlMs: number;
  load: (key: K) => Promise<V>;
  /** The tenant an entry belongs to, or undefined to not keep it (e.g. an unknown API key). */
  tenantOf: (key: K, value: V) => string | undefined;
  /** Beyond this many entries, expired ones are swept, then everything if still over. */
  maxEntries?: number;
}

interface Entry<V> {
  value: V;
  tenantId: string;
  expiresAt: number;
}

/**
 * A per-process copy of rows every request reads, correct across instances: kept only while
 * ChangeNotices is listening, dropped when a change to one of `tables` for the entry's tenant is
 * announced (by PostgreSQL on commit, or by this instance as it writes), and never longer than
 * `ttlMs`. A read that was under way when a change for its tenant was announced is returned to
 * its callers but not kept, and later callers do not join it: it may predate the change.
 */
export class NoticedCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private readonly keysOfTenant = new Map<string, Set<K>>();
  private readonly loading = new Map<K, Promise<V>>();
  /** Sequence number of the last announced change per tenant, and of the last "everything". */
  private readonly changedAt = new Map<string, number>();
  private everythingChangedAt = 0;
  private sequence = 0;
  private readonly tables: ReadonlySet<string>;
  private readonly maxEntries: number;

  constructor(
    private readonly notices: ChangeNotices,
    private readonly options: NoticedCacheOptions<K, V>,
  ) {
    this.tables = new Set(options.tables);
    this.maxEntries = options.maxEntries ?? 100_000;
    notices.subscribe((n) => this.onChange(n));
  }

  get(key: K): Promise<V> {
    if (!this.notices.listening) return this.options.load(key);
    const hit = this.entries.get(key);
    if (hit) {
      if (hit.expiresAt > Date.now()) return Promise.resolve(hit.value);
      this.forget(key, hit);
    }
    const pending = this.loading.get(key);
    if (pending) return pending;
    const startedAt = ++this.sequence;
    const load = this.options.load(key).then(
      (value) => {
        if (this.loading.get(key) === load) this.loading.delete(key);
        this.keep(key, value, startedAt);
        return value;
      },
      (e: unknown) => {
        if (this.loading.get(key) === load) this.loading.delete(key);
        throw e;
      },
    );
    this.loading.set(key, load);
    return load;
  }

  private keep(key: K, value: V, startedAt: number): void {
    if (!this.notices.listening || this.everythingChangedAt >= startedAt) return;
    const tenantId = this.options.tenantOf(key, value);
    if (tenantId === undefined || (this.changedAt.get(tenantId) ?? 0) >= startedAt) return;
    if (this.entries.size >= this.maxEntries) this.sweep();
    const old = this.entries.get(key);
    if (old) this.forget(key, old);
    this.entries.set(key, { value, tenantId, expiresAt: Date.now() + this.options.ttlMs });
    const keys = this.keysOfTenant.get(tenantId);
    if (keys) keys.add(key);
    else this.keysOfTenant.set(tenantId, new Set([key]));
  }

  private forget(key: K, entry: Entry<V>): void {
    this.entries.delete(key);
    const keys = this.keysOfTenant.get(entry.tenantId);
    keys?.delete(key);
    if (keys?.size === 0) this.keysOfTenant.delete(entry.tenantId);
  }

  private onChange(n: ChangeNotice | 'lost'): void {
    if (n !== 'lost' && !this.tables.has(n.table)) return;
    const at = ++this.sequence;
    // A read under way may predate the change: nobody else joins it.
    this.loading.clear();
    if (n === 'lost' || n.tenantId === '*') {
      this.everythingChangedAt = at;
      this.clear();
      this.changedAt.clear();
      return;
    }
    if (this.changedAt.size >= this.maxEntries) {
      // Bounded memory: forgetting who changed when only stops reads under way from being kept.
      this.changedAt.clear();
      this.everythingChangedAt = at;
    }
    this.changedAt.set(n.tenantId, at);
    for (const key of this.keysOfTenant.get(n.tenantId) ?? []) this.entries.delete(key);
    this.keysOfTenant.delete(n.tenantId);
  }

  private clear(): void {
    this.entries.clear();
    this.keysOfTenant.clear();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.forget(key, entry);
    if (this.entries.size >= this.maxEntries) this.clear();
  }
}
