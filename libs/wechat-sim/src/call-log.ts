import { createHash } from 'node:crypto';

export interface CallLogEntry {
  seq: number;
  /** Simulated clock, ms. */
  at: number;
  /** API name (path under /cgi-bin/), or the raw path for unknown ones. */
  api: string;
  method: string;
  path: string;
  /** Query and body with every credential replaced by a digest tag. */
  query: Record<string, unknown>;
  body: unknown;
  /** SHA-256 (hex) of the body bytes as received, so tests can check a body arrived byte for byte. */
  bodySha256?: string;
  contentType?: string;
  /** The account the call was made for: authorizer appid when known, else the component appid. */
  appId?: string;
  /** errcode returned (0 for success); null when no WeChat body was sent (HTTP 500, dropped connection). */
  errcode: number | null;
  httpStatus: number | null;
  /** Set when an injected fault decided the outcome or delayed the call. */
  fault?: string;
  durationMs: number;
}

export interface CallFilter {
  api?: string;
  appId?: string;
  /** Only entries with seq greater than this. */
  since?: number;
}

// Credentials by field name. `errcode` must not match, hence the anchored `code` rule.
const SECRET_KEY = /(token|secret|ticket|password|(^|_)code$)/i;

/**
 * A credential becomes `***<8 hex of its sha256>`: equal values stay correlatable in the log
 * without the value itself ever being readable from it.
 */
export function maskSecret(value: unknown): string {
  return `***${createHash('sha256').update(String(value)).digest('hex').slice(0, 8)}`;
}

export function maskDeep(value: unknown, key = ''): unknown {
  if (SECRET_KEY.test(key) && value !== null && value !== undefined && typeof value !== 'object') return maskSecret(value);
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, k)]));
  }
  return value;
}

/** Every WeChat API call received, oldest first, bounded. */
export class CallLog {
  private entries: CallLogEntry[] = [];
  private seq = 0;

  constructor(private readonly limit: number) {}

  record(entry: Omit<CallLogEntry, 'seq'>): CallLogEntry {
    const full = { seq: ++this.seq, ...entry };
    this.entries.push(full);
    // Trim in batches: splicing a long array on every call would make benchmarks pay O(n) per request.
    if (this.entries.length > this.limit + Math.ceil(this.limit / 10)) this.entries.splice(0, this.entries.length - this.limit);
    return full;
  }

  list(filter: CallFilter = {}): CallLogEntry[] {
    return this.entries.filter(
      (e) =>
        (filter.api === undefined || e.api === filter.api) &&
        (filter.appId === undefined || e.appId === filter.appId) &&
        (filter.since === undefined || e.seq > filter.since),
    );
  }

  /** Sequence numbers keep growing across clears so `since` cursors stay meaningful. */
  clear(): void {
    this.entries = [];
  }
}
