import { Injectable } from '@nestjs/common';
import { ChangeNotices } from '../platform/database/change-notices';
import { NoticedCache } from '../platform/database/noticed-cache';
import type { TenantId } from '../tenants/tenant-id';
import { AuthorizersRepository } from './authorizers.repository';

/** A safety net only: every change to the tenant or its authorizer drops the copy at once. */
const TTL_MS = 1_000;

export interface ActiveAccount {
  tenantId: TenantId;
  /** The account's original id (gh_…), null until first read from WeChat. */
  userName: string | null;
}

/**
 * Which active tenant an Official Account (by appid) belongs to, as every follower message asks
 * it first, kept per process so a push makes no database round trip for it. Any change to the
 * tenant's row or its authorizer, on any instance, drops the copy (platform/database/change-notices.ts);
 * an account with no active tenant is never kept. What a push then stores is checked again
 * inside its transaction, so a copy can only ever send a push down the slower path.
 */
@Injectable()
export class ActiveAccounts {
  private readonly cache: NoticedCache<string, ActiveAccount | undefined>;

  constructor(authorizers: AuthorizersRepository, notices: ChangeNotices) {
    this.cache = new NoticedCache(notices, {
      tables: ['tenants', 'authorizers'],
      ttlMs: TTL_MS,
      load: (appId) => authorizers.activeAccountForAppId(appId),
      tenantOf: (_appId, account) => account?.tenantId,
    });
  }

  /** undefined: no active tenant holds this account. */
  forAppId(appId: string): Promise<ActiveAccount | undefined> {
    return this.cache.get(appId);
  }
}
