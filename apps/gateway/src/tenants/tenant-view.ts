import type { EntityManager } from 'typeorm';
import { blacklistReadiness } from './capabilities';
import type { TenantView } from './dto/tenant.view';
import type { TenantId } from './tenant-id';
import type { TenantsRepository, TenantWithAccountRecord } from './tenants.repository';

export function toTenantView(t: TenantWithAccountRecord): TenantView {
  const a = t.account;
  return {
    id: t.id,
    name: t.name,
    externalId: t.externalId,
    status: t.status,
    authorizer: a
      ? {
          appId: a.appId,
          nickName: a.nickName,
          principalName: a.principalName,
          serviceType: a.serviceType,
          verified: a.verified,
          permissionSets: a.permissionSets,
          authorizedAt: a.authorizedAt.toISOString(),
          updatedAt: a.updatedAt.toISOString(),
        }
      : null,
    capabilities: { blacklist: a ? blacklistReadiness(t.status, a.verified, a.permissionSets).available : false },
    webOAuthOrigins: [...t.webOAuthOrigins],
    createdAt: t.createdAt.toISOString(),
  };
}

/** The view of a live tenant as `m` sees it (inside a transaction: with its uncommitted changes). */
export async function readTenantView(
  tenants: TenantsRepository,
  tenantId: TenantId,
  m?: EntityManager,
): Promise<TenantView | undefined> {
  const t = await tenants.findWithAccount(tenantId, m);
  return t && toTenantView(t);
}
