/**
 * The token refresh pattern both token services share (component token, authorizer tokens):
 *
 * 1. in this process, one in-flight refresh per key, shared by every concurrent caller;
 * 2. across instances, the refresh itself runs in a transaction under an advisory lock and
 *    re-reads the stored token once the lock is held ({@link storedTokenServes});
 * 3. compare-then-expire: a caller whose token WeChat just rejected (`failedToken`) and who
 *    joined a flight that handed back that very token starts a flight of its own, which then
 *    refuses to reuse the stored value.
 */

/** Refresh when less than this remains (WeChat keeps an old token alive only briefly after a new one). */
export const REFRESH_MARGIN_MS = 10 * 60_000;

/** True while a token expiring at `expiresAt` has more than the refresh margin left. */
export function isFresh(expiresAt: Date | null, now = Date.now()): boolean {
  return expiresAt !== null && expiresAt.getTime() - now > REFRESH_MARGIN_MS;
}

/** The re-check under the lock: the stored token is kept unless it is the one that failed or it is due. */
export function storedTokenServes(
  stored: string | null,
  expiresAt: Date | null,
  failedToken: string | undefined,
): stored is string {
  return stored !== null && stored !== failedToken && isFresh(expiresAt);
}

export class SingleFlightRefresh<K = string> {
  private readonly inFlight = new Map<K, Promise<string>>();

  /** `underLock` is the locked section: lock, re-read, and only then call WeChat and store. */
  constructor(private readonly underLock: (key: K, failedToken: string | undefined) => Promise<string>) {}

  async refresh(key: K, failedToken?: string): Promise<string> {
    let flight = this.inFlight.get(key);
    if (!flight) {
      flight = this.underLock(key, failedToken).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, flight);
    }
    const token = await flight;
    return failedToken !== undefined && token === failedToken ? this.refresh(key, failedToken) : token;
  }
}
