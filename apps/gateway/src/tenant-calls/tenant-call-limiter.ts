import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import type { TenantId } from '../tenants/tenant-id';

interface TenantLane {
  active: number;
  waiting: (() => void)[];
  /** Earliest time (ms) the next call may start. */
  nextSlot: number;
}

/**
 * How far ahead of its slot a call may start when slots are under a millisecond apart (rates
 * above 1,000 calls/s). A timer cannot wait a fraction of a millisecond (Node rounds it up to
 * 1 ms and fires late under load), so there strict spacing turned every burst into
 * whole-millisecond sleeps for a fraction of a millisecond's debt (bench/README.md, "What each
 * lever gave"; figures in bench/results/).
 * The slot still advances for every call, so over any second such a tenant starts at most 1 %
 * (plus one call) more than its rate. At 1,000 calls/s and below, timers can keep the spacing
 * and every call waits for its slot, as it always did.
 */
const EARLY_START_MS = 10;

/**
 * Per tenant and per process: at most `concurrencyPerTenant` WeChat calls in flight and
 * calls started no faster than `callsPerSecondPerTenant`, so one tenant's big job cannot
 * take every socket and every second from the others. Waiters are served in arrival order.
 */
@Injectable()
export class TenantCallLimiter {
  private readonly lanes = new Map<string, TenantLane>();
  private readonly concurrency: number;
  private readonly spacingMs: number;
  private readonly earlyStartMs: number;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.concurrency = Math.max(1, config.blacklist.concurrencyPerTenant);
    this.spacingMs = 1000 / Math.max(1, config.blacklist.callsPerSecondPerTenant);
    this.earlyStartMs = this.spacingMs < 1 ? EARLY_START_MS : 0;
  }

  async run<T>(tenantId: TenantId, fn: () => Promise<T>): Promise<T> {
    const lane = this.lane(tenantId);
    if (lane.active >= this.concurrency) await new Promise<void>((resolve) => lane.waiting.push(resolve));
    else lane.active++;
    try {
      const now = Date.now();
      const slot = Math.max(now, lane.nextSlot);
      lane.nextSlot = slot + this.spacingMs;
      if (slot - now > this.earlyStartMs) await new Promise((r) => setTimeout(r, slot - now));
      return await fn();
    } finally {
      const next = lane.waiting.shift();
      // The slot passes straight to the next waiter; `active` stays the same.
      if (next) next();
      else {
        lane.active--;
        if (lane.active === 0 && lane.nextSlot <= Date.now()) this.lanes.delete(tenantId);
      }
    }
  }

  private lane(tenantId: TenantId): TenantLane {
    let lane = this.lanes.get(tenantId);
    if (!lane) this.lanes.set(tenantId, (lane = { active: 0, waiting: [], nextSlot: 0 }));
    return lane;
  }
}
