import { apiRule, type ApiPathRule, type OfficialAccountApi } from '@app/wechat';
import type { TenantStatus } from './tenant.entity';

/** The APIs that make up "blacklist management"; their permission sets come from the library's table. */
export const BLACKLIST_APIS: readonly OfficialAccountApi[] = ['getblacklist', 'batchblacklist', 'batchunblacklist'];

/** What calling an API takes, as the library's path table says (any one of the sets; verified or not). */
export type ApiRequirement = Pick<ApiPathRule, 'permissionSets' | 'verifiedOnly'>;

export interface ApiReadiness {
  available: boolean;
  /** Why not, in the order a merchant would have to fix it. */
  reason?: 'not_active' | 'not_verified' | 'permission_set_missing';
  /** Sets of which granting any one would unlock the APIs (empty when none is missing). */
  missingPermissionSets: number[];
}

/** The blacklist capability's readiness (the tenant view and the onboarding pages show it). */
export type BlacklistReadiness = ApiReadiness;

/**
 * The one rule for calling Official Account APIs for a tenant, in the order a merchant would have
 * to fix it: active, verified (where an API is verified-only), then the permission sets of each
 * requirement. The blacklist gate, the proxy gate and the tenant view all ask it.
 */
export function apiReadiness(
  status: TenantStatus,
  verified: boolean,
  permissionSets: readonly number[],
  requirements: readonly ApiRequirement[],
): ApiReadiness {
  const unmet = requirements.filter(
    (r) => r.permissionSets.length > 0 && !r.permissionSets.some((s) => permissionSets.includes(s)),
  );
  const missing = [...new Set(unmet.flatMap((r) => r.permissionSets))].sort((a, b) => a - b);
  if (status !== 'active') return { available: false, reason: 'not_active', missingPermissionSets: missing };
  if (!verified && requirements.some((r) => r.verifiedOnly)) {
    return { available: false, reason: 'not_verified', missingPermissionSets: missing };
  }
  if (unmet.length > 0) return { available: false, reason: 'permission_set_missing', missingPermissionSets: missing };
  return { available: true, missingPermissionSets: [] };
}

/** apiReadiness for `apis` (all blacklist APIs by default; the blacklist gate asks for the one it is about to call). */
export function blacklistReadiness(
  status: TenantStatus,
  verified: boolean,
  permissionSets: readonly number[],
  apis: readonly OfficialAccountApi[] = BLACKLIST_APIS,
): ApiReadiness {
  return apiReadiness(status, verified, permissionSets, apis.map(apiRule));
}
