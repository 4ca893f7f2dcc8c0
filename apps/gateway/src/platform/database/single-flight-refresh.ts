import type { SessionLocks } from './session-locks';

/**
 * The token refresh pattern both token services share (component token, authorizer tokens):
 *
 * 1. in this process, one in-flight refresh per key, shared by every concurrent caller;
 * 2. across instances, the refresh holds a named session lock on the dedicated lock connection
 *    ({@link SessionLocks}), never a transaction of the request pool: inside it the service
 *    re-reads the stored token ({@link storedTokenServes}), calls WeChat holding no pooled
 *    connection, and stores what WeChat returned with `storeUntilLanded` (platform/database/
 *    database-unavailable.ts) before anyone is answered — a slow WeChat cannot starve the pool,
 *    and a database blip cannot drop a token WeChat has already issued;
 * 3. compare-then-expire: a caller whose token WeChat just rejected (`failedToken`) and who
 *    joined a flight that handed back that very token starts a flight of its own, which then
 *    refuses to reuse the stored value.
 */

/** Refresh when less than this remains (WeChat keeps an old token alive only briefly after a new one). */
export const REFRESH_MARGIN_MS = 10 * 60_000;

/** True while a token expiring at `expiresAt` has more than the refresh margin left. */
export function isFresh(expiresAt: Date | null, now = Date.now(), marginMs = REFRESH_MARGIN_MS): boolean {
  return expiresAt !== null && expiresAt.getTime() - now > marginMs;
}

/** The re-check under the lock: the stored token is kept unless it is the one that failed or it is due. */
export function storedTokenServes(
  stored: string | null,
  expiresAt: Date | null,
  failedToken: string | undefined,
  marginMs = REFRESH_MARGIN_MS,
): stored is string {
  return stored !== null && stored !== failedToken && isFresh(expiresAt, Date.now(), marginMs);
}

export interface RefreshCoordination<K> {
  /** Read lazily: services build their flights in field initializers. */
  locks: () => SessionLocks;
  /** `wtg:<what>:<id>`, the same name transactions lock with lockForTransaction. */
  lockName: (key: K) => string;
  /** The locked section: re-read, and only then call WeChat and store (must not take the same lock again). */
  underLock: (key: K, failedToken: string | undefined) => Promise<string>;
}

export class SingleFlightRefresh<K = string> {
  private readonly inFlight = new Map<K, Promise<string>>();

  constructor(private readonly coordination: RefreshCoordination<K>) {}

  async refresh(key: K, failedToken?: string): Promise<string> {
    let flight = this.inFlight.get(key);
    if (!flight) {
      const { locks, lockName, underLock } = this.coordination;
      flight = locks()
        .hold(lockName(key), () => underLock(key, failedToken))
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, flight);
    }
    const token = await flight;
    return failedToken !== undefined && token === failedToken ? this.refresh(key, failedToken) : token;
  }
}
