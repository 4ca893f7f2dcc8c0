import type { TenantId } from '../tenants/tenant-id';

/** Who is calling: an operator (any tenant) or one tenant through its own key. */
export interface Caller {
  actor: 'operator' | 'tenant';
  /** Set for tenant callers: the only tenant they may act on. */
  tenantId?: TenantId;
}
