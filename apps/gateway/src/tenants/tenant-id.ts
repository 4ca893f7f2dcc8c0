import { isUuid } from '@app/common';

/**
 * A tenant id that has been checked and normalised (a lower-case UUID). Only
 * `parseTenantId` makes one, so a repository or service that takes a `TenantId` cannot be
 * handed an unchecked path segment, an upper-case variant or a job id by mistake.
 */
export type TenantId = string & { readonly __brand: 'TenantId' };

/** Tenant ids are UUIDs; anything else is simply "no such tenant" (never a database error). */
export function parseTenantId(value: unknown): TenantId | undefined {
  return isUuid(value) ? (value.toLowerCase() as TenantId) : undefined;
}
