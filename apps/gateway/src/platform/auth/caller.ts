import type { TenantId } from '../../tenants/tenant-id';

/** Who is calling a tenant or operator route: an operator (any tenant) or one tenant through its own key. */
export interface Caller {
  actor: 'operator' | 'tenant';
  /** Set for tenant callers: the only tenant they may act on. */
  tenantId?: TenantId;
  /** Which key, as the audit trail names it: the operator key's name, or the tenant key's id. */
  name?: string;
}

/** A token key (`wtt_…`): it may only read its own tenant's tokens (routes marked @TokenReader()). */
export interface TokenKeyCaller {
  actor: 'token_key';
  tenantId: TenantId;
  /** Which key (the audit trail names it). */
  tokenKeyId: string;
  name?: string;
}

/** Any caller the guard resolves. */
export type AnyCaller = Caller | TokenKeyCaller;
