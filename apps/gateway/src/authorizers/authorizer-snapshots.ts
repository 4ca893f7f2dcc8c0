import { Injectable } from '@nestjs/common';
import { ChangeNotices } from '../platform/database/change-notices';
import { NoticedCache } from '../platform/database/noticed-cache';
import type { TenantId } from '../tenants/tenant-id';
import { type AuthorizerSnapshot, AuthorizersRepository } from './authorizers.repository';

/** Long enough to spare the database on a busy tenant, short enough to be a safety net only. */
const TTL_MS = 1_000;

/**
 * A tenant's status, account facts and access token as every API call reads them (the gate,
 * then the token), kept per process so a call makes no database round trip for them. Any
 * change to the tenant's row or its authorizer, on any instance, drops the copy
 * (platform/database/change-notices.ts); refreshes and grants read the database itself, under their locks.
 */
@Injectable()
export class AuthorizerSnapshots {
  private readonly cache: NoticedCache<TenantId, AuthorizerSnapshot | undefined>;

  constructor(authorizers: AuthorizersRepository, notices: ChangeNotices) {
    this.cache = new NoticedCache(notices, {
      tables: ['tenants', 'authorizers'],
      ttlMs: TTL_MS,
      load: (tenantId) => authorizers.readForCalls(tenantId),
      tenantOf: (tenantId) => tenantId,
    });
  }

  /** undefined: no such live tenant. */
  get(tenantId: TenantId): Promise<AuthorizerSnapshot | undefined> {
    return this.cache.get(tenantId);
  }
}
