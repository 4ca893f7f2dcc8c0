import { isApiAllowed, missingPermissionSets, type OfficialAccountApi } from '@app/wechat';
import type { TenantStatus } from './tenant.entity';

/** The APIs that make up "blacklist management"; their permission sets come from the library's table. */
export const BLACKLIST_APIS: readonly OfficialAccountApi[] = ['getblacklist', 'batchblacklist', 'batchunblacklist'];

export interface BlacklistReadiness {
  available: boolean;
  /** Why not, in the order a merchant would have to fix it. */
  reason?: 'not_active' | 'not_verified' | 'permission_set_missing';
  /** Sets of which granting any one would unlock the blacklist APIs (empty when none is missing). */
  missingPermissionSets: number[];
}

/**
 * The one blacklist rule, in the order a merchant would have to fix it: active, verified, then
 * the permission sets of `apis` (all blacklist APIs by default; the blacklist gate asks for the
 * one it is about to call).
 */
export function blacklistReadiness(
  status: TenantStatus,
  verified: boolean,
  permissionSets: readonly number[],
  apis: readonly OfficialAccountApi[] = BLACKLIST_APIS,
): BlacklistReadiness {
  const missing = [...new Set(apis.flatMap((api) => missingPermissionSets(api, permissionSets)))].sort((a, b) => a - b);
  if (status !== 'active') return { available: false, reason: 'not_active', missingPermissionSets: missing };
  if (!verified) return { available: false, reason: 'not_verified', missingPermissionSets: missing };
  if (!apis.every((api) => isApiAllowed(api, permissionSets))) {
    return { available: false, reason: 'permission_set_missing', missingPermissionSets: missing };
  }
  return { available: true, missingPermissionSets: [] };
}
