import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { ChangeNotices } from '../platform/database/change-notices';
import { NoticedCache } from '../platform/database/noticed-cache';
import type { TenantId } from '../tenants/tenant-id';
import { QuotaBlocksRepository } from './quota-blocks.repository';

const DAY_MS = 86_400_000;
// WeChat's daily quotas reset at midnight China Standard Time (UTC+8, no daylight saving).
const CST_OFFSET_MS = 8 * 3_600_000;

/** The next midnight in China Standard Time strictly after `now`. */
export function nextChinaMidnight(now: Date): Date {
  const cstDay = Math.floor((now.getTime() + CST_OFFSET_MS) / DAY_MS);
  return new Date((cstDay + 1) * DAY_MS - CST_OFFSET_MS);
}

/**
 * 45009 blocks, one per tenant and API, kept in PostgreSQL so every instance stops calling
 * the API until the quota resets, and cached here so a batch does not read the table per call.
 */
@Injectable()
export class QuotaBlocksService {
  private readonly cache = new Map<string, number>();
  /** The tenant's blocks in force, per process; dropped on any instance's change (platform/database/change-notices.ts). */
  private readonly inForce: NoticedCache<TenantId, Map<string, Date>>;

  constructor(
    private readonly blocks: QuotaBlocksRepository,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    notices: ChangeNotices,
  ) {
    this.inForce = new NoticedCache(notices, {
      tables: ['wechat_quota_blocks'],
      ttlMs: 1_000,
      load: (tenantId) => this.blocks.blocksInForce(tenantId),
      tenantOf: (tenantId) => tenantId,
    });
  }

  /** When a quota hit now would be lifted. Tests and sandboxes may shorten it (BLACKLIST_QUOTA_RESET_AFTER_SECONDS). */
  nextReset(now = new Date()): Date {
    const override = this.config.blacklist.quotaResetAfterSeconds;
    return override ? new Date(now.getTime() + override * 1000) : nextChinaMidnight(now);
  }

  /** Records the block (keeping the later one if another instance got there first) and returns its end. */
  async block(tenantId: TenantId, api: string): Promise<Date> {
    const effective = await this.blocks.block(tenantId, api, this.nextReset());
    this.cache.set(key(tenantId, api), effective.getTime());
    return effective;
  }

  /** What the table says (other instances may have blocked the API), through the noticed copy; refreshes the cache. */
  async blockedUntil(tenantId: TenantId, api: string): Promise<Date | undefined> {
    const stored = (await this.inForce.get(tenantId)).get(api);
    const until = stored && stored.getTime() > Date.now() ? stored : undefined;
    if (until) this.cache.set(key(tenantId, api), until.getTime());
    else this.cache.delete(key(tenantId, api));
    return until;
  }

  /** In-process view only: what this instance learned from its own calls or its last read. */
  cachedBlockedUntil(tenantId: TenantId, api: string): Date | undefined {
    const until = this.cache.get(key(tenantId, api));
    if (until === undefined) return undefined;
    if (until <= Date.now()) {
      this.cache.delete(key(tenantId, api));
      return undefined;
    }
    return new Date(until);
  }

  /** Housekeeping: blocks that lifted more than a day ago. */
  deleteLapsed(): Promise<number> {
    return this.blocks.deleteLapsed();
  }
}

const key = (tenantId: TenantId, api: string) => `${tenantId}|${api}`;
