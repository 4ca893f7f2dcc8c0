import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { RateLimitedError } from './auth.errors';

export const DEFAULT_FAILED_AUTH_PER_MINUTE = 20;
const WINDOW_MS = 60_000;
/** Addresses tracked at most; past this, lapsed windows are swept (and, if still full, the oldest go). */
const MAX_TRACKED = 50_000;

interface Window {
  failures: number;
  resetsAt: number;
}

/**
 * Brute-force brake on API keys, per client address and per instance (in memory: a scan of
 * 128-bit keys needs far more than the limit times the number of instances). After
 * `failedAuthPerMinute` wrong keys in a minute, further wrong keys from that address are answered
 * 429 with Retry-After until the minute is over, uncounted; right keys are still served (the
 * guard asks only about requests whose key failed).
 */
@Injectable()
export class FailedAuthLimiter {
  private readonly logger = new Logger(FailedAuthLimiter.name);
  private readonly limit: number;
  private readonly windows = new Map<string, Window>();
  private readonly outcomes: Counter<'outcome'>;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.limit = config.rateLimits?.failedAuthPerMinute ?? DEFAULT_FAILED_AUTH_PER_MINUTE;
    this.outcomes = new Counter({
      name: 'auth_failures_total',
      help: 'Keyed requests refused: rejected (a wrong key) or rate_limited (too many failures from the address)',
      labelNames: ['outcome'] as const,
      registers: [],
    });
  }

  /** Registers the counter (the composition root wires it: platform/metrics/ sits above platform/auth/ in the folder graph). */
  countIn(registry: Registry): void {
    registry.registerMetric(this.outcomes);
  }

  /** Whether `address` is over its limit (nothing counted); a function is only called when some address has failed. */
  isBlocked(address: string | (() => string), now = Date.now()): boolean {
    if (this.windows.size === 0) return false;
    const w = this.windows.get(typeof address === 'string' ? address : address());
    return w !== undefined && w.resetsAt > now && w.failures >= this.limit;
  }

  /** Throws RateLimitedError while `address` is over its limit. */
  assertNotBlocked(address: string, now = Date.now()): void {
    if (!this.isBlocked(address, now)) return;
    const w = this.windows.get(address)!;
    this.outcomes.inc({ outcome: 'rate_limited' });
    throw new RateLimitedError(Math.ceil((w.resetsAt - now) / 1000));
  }

  recordFailure(address: string, now = Date.now()): void {
    this.outcomes.inc({ outcome: 'rejected' });
    let w = this.windows.get(address);
    if (!w || w.resetsAt <= now) {
      if (this.windows.size >= MAX_TRACKED) this.sweep(now);
      w = { failures: 0, resetsAt: now + WINDOW_MS };
      this.windows.set(address, w);
    }
    w.failures += 1;
    if (w.failures === this.limit) {
      this.logger.warn(
        { clientAddress: address, failures: w.failures, blockedForSeconds: Math.ceil((w.resetsAt - now) / 1000) },
        'too many failed authentications from one address; refusing its keyed requests until the window ends',
      );
    }
  }

  private sweep(now: number): void {
    for (const [address, w] of this.windows) if (w.resetsAt <= now) this.windows.delete(address);
    for (const address of this.windows.keys()) {
      if (this.windows.size < MAX_TRACKED) break;
      this.windows.delete(address);
    }
  }
}
