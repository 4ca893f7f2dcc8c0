/**
 * Whether an error means "PostgreSQL cannot be reached right now" (refused, dropped, shutting
 * down, out of connections) rather than a bug or a constraint: such failures are answered 503
 * with Retry-After, and writes that must not be lost are retried until they land.
 */

/** SQLSTATE classes and codes of an unreachable or restarting server. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006']);
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);
/** node-postgres reports a lost or impossible connection by message only. */
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /Connection is not established/i,
  /the database system is (starting up|shutting down)/i,
  /terminating connection due to administrator command/i,
];

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const e = error as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && (UNAVAILABLE_SQLSTATES.has(e.code) || UNAVAILABLE_ERRNOS.has(e.code))) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.some((p) => p.test(e.message as string))) return true;
  // TypeORM wraps the driver's error; an AggregateError (several addresses refused) lists them.
  if (isDatabaseUnavailable(e.driverError, depth + 1) || isDatabaseUnavailable(e.cause, depth + 1)) return true;
  return Array.isArray(e.errors) && e.errors.some((x) => isDatabaseUnavailable(x, depth + 1));
}

export interface PersistentWriteOptions {
  /** Called before each retry (for a log line); the error is the one that made the write fail. */
  onRetry?: (error: unknown, attempt: number) => void;
  /** Waits between attempts start here and double up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Give up after this long (default: never, i.e. until the process dies). */
  giveUpAfterMs?: number;
}

/**
 * Runs a write that must not be lost (a token WeChat has already issued and retired the old one
 * for) until it lands: while the database is unreachable it is retried with backoff; any other
 * error is thrown at once. The caller is answered only after it returns.
 */
export async function storeUntilLanded<T>(write: () => Promise<T>, opts: PersistentWriteOptions = {}): Promise<T> {
  const started = Date.now();
  let delay = opts.initialDelayMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (e) {
      if (!isDatabaseUnavailable(e)) throw e;
      if (opts.giveUpAfterMs !== undefined && Date.now() - started > opts.giveUpAfterMs) throw e;
      opts.onRetry?.(e, attempt);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 2_000);
    }
  }
}

/**
 * For a record of something already done at WeChat (an audit line, an idempotent reply): waits
 * up to `waitMs` for the write to land; if the database is still unreachable then, the write
 * keeps being retried in the background (until it lands or the process dies) and this returns,
 * so the caller can still be given the result. Errors other than unavailability are thrown.
 */
export async function storeSoonOrLater(
  write: () => Promise<unknown>,
  waitMs: number,
  log: { warn: (fields: object, message: string) => void },
  what: string,
): Promise<void> {
  const persistent = storeUntilLanded(write);
  let timer: NodeJS.Timeout | undefined;
  const deferred = new Promise<'deferred'>((resolve) => (timer = setTimeout(() => resolve('deferred'), waitMs)));
  try {
    if ((await Promise.race([persistent, deferred])) !== 'deferred') return;
  } finally {
    clearTimeout(timer);
  }
  log.warn({ what }, 'database unreachable; the write continues in the background');
  persistent.catch((e: Error) => log.warn({ what, err: e.message }, 'a deferred write failed'));
}
