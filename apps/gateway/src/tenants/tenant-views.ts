import { Injectable } from '@nestjs/common';
import { ChangeNotices } from '../platform/database/change-notices';
import { NoticedCache } from '../platform/database/noticed-cache';
import type { TenantView } from './dto/tenant.view';
import type { TenantId } from './tenant-id';
import { toTenantView } from './tenant-view';
import { TenantsRepository, type TenantWithAccountRecord } from './tenants.repository';

/** A safety net only: every change to a tenant or its authorizer drops the copy at once. */
const TTL_MS = 1_000;

/**
 * A live tenant's view (`GET /v1/tenants/:tenantId`) served from a per-process copy, so reading
 * a tenant makes no database round trip. Any change to the tenant's row or its authorizer, on
 * any instance, drops the copy (database/change-notices.ts); reads inside a transaction use
 * `readTenantView`, which sees that transaction's own changes.
 */
@Injectable()
export class TenantViews {
  private readonly cache: NoticedCache<TenantId, TenantWithAccountRecord | undefined>;

  constructor(tenants: TenantsRepository, notices: ChangeNotices) {
    this.cache = new NoticedCache(notices, {
      tables: ['tenants', 'authorizers'],
      ttlMs: TTL_MS,
      load: (tenantId) => tenants.findWithAccount(tenantId),
      // An unknown id is not kept: a copy is only ever of a row that exists.
      tenantOf: (tenantId, record) => (record ? tenantId : undefined),
    });
  }

  /** undefined: no such live tenant. A new object each time, so no caller can change the copy. */
  async view(tenantId: TenantId): Promise<TenantView | undefined> {
    const record = await this.cache.get(tenantId);
    return record && toTenantView(record);
  }
}
