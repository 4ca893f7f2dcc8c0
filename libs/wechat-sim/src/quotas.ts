import type { ApiName } from './api-names';
import type { SimClock } from './clock';
import { DEFAULT_DAILY_QUOTA, DEFAULT_MINUTE_RATE } from './options';

type Limits = { daily?: number; perMinute?: number };

// WeChat's daily quotas reset at midnight Beijing time (UTC+8).
const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

/**
 * Per-account, per-API call counters. The account is the authorizer for calls made with an
 * authorizer token and the component for component calls, as WeChat bills them.
 */
export class QuotaTracker {
  private global = new Map<string, Limits>();
  private perAccount = new Map<string, Limits>();
  private daily = new Map<string, { day: number; used: number }>();
  private minute = new Map<string, { minute: number; used: number }>();

  constructor(
    private readonly clock: SimClock,
    private readonly initial: { daily: Partial<Record<ApiName, number>>; perMinute: Partial<Record<ApiName, number>> },
  ) {
    this.reset();
  }

  setLimit(api: ApiName, limits: Limits, appId?: string): void {
    const map = appId ? this.perAccount : this.global;
    const key = appId ? `${appId}|${api}` : api;
    map.set(key, { ...map.get(key), ...limits });
  }

  limits(account: string, api: ApiName): { daily: number; perMinute: number } {
    const own = this.perAccount.get(`${account}|${api}`);
    const all = this.global.get(api);
    return {
      daily: own?.daily ?? all?.daily ?? DEFAULT_DAILY_QUOTA,
      perMinute: own?.perMinute ?? all?.perMinute ?? DEFAULT_MINUTE_RATE,
    };
  }

  /** Counts the call if allowed; otherwise returns 45009 (daily) or 45011 (per minute) and counts nothing. */
  take(account: string, api: ApiName): 45009 | 45011 | undefined {
    const key = `${account}|${api}`;
    const limits = this.limits(account, api);
    const d = this.dailyCounter(key);
    const m = this.minuteCounter(key);
    if (d.used >= limits.daily) return 45009;
    if (m.used >= limits.perMinute) return 45011;
    d.used++;
    m.used++;
    return undefined;
  }

  usage(account: string, api: ApiName): { daily_limit: number; used: number; remain: number } {
    const limit = this.limits(account, api).daily;
    const used = this.dailyCounter(`${account}|${api}`).used;
    return { daily_limit: limit, used, remain: Math.max(0, limit - used) };
  }

  /** clear_quota: every counter of the account back to zero. */
  clear(account: string): void {
    for (const map of [this.daily, this.minute]) {
      for (const key of map.keys()) if (key.startsWith(`${account}|`)) map.delete(key);
    }
  }

  reset(): void {
    this.global.clear();
    this.perAccount.clear();
    this.daily.clear();
    this.minute.clear();
    for (const [api, daily] of Object.entries(this.initial.daily)) this.setLimit(api as ApiName, { daily });
    for (const [api, perMinute] of Object.entries(this.initial.perMinute)) this.setLimit(api as ApiName, { perMinute });
  }

  private dailyCounter(key: string) {
    const day = Math.floor((this.clock.now() + BEIJING_OFFSET_MS) / 86_400_000);
    let c = this.daily.get(key);
    if (!c || c.day !== day) this.daily.set(key, (c = { day, used: 0 }));
    return c;
  }

  private minuteCounter(key: string) {
    const minute = Math.floor(this.clock.now() / 60_000);
    let c = this.minute.get(key);
    if (!c || c.minute !== minute) this.minute.set(key, (c = { minute, used: 0 }));
    return c;
  }
}
