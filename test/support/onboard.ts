// Onboarding a tenant through the real flow (simulator's next-authorization preselect, the
// gateway's onboarding page and callback), plus the Official Account's followers for tests
// that need openids WeChat will accept.
import { onboardTenant as onboardThroughPage } from './onboarding';
import type { Harness } from './gateway-harness';

export interface OnboardOptions {
  name?: string;
  permissionSets?: number[];
  verified?: boolean;
  /** A number of generated follower openids, or explicit ones. */
  followers?: number | string[];
}

export interface OnboardedTenant {
  id: string;
  apiKey: string;
  appId: string;
  /** The account's followers: openids batchblacklist accepts for this tenant. */
  followers: string[];
}

export async function onboardTenant(h: Harness, opts: OnboardOptions = {}): Promise<OnboardedTenant> {
  if (!h.sim.pushes().some((p) => p.infoType === 'component_verify_ticket' && p.acknowledged)) await h.sim.pushTicket();
  const t = await onboardThroughPage(h, {
    name: opts.name,
    ...(opts.permissionSets ? { permissionSets: opts.permissionSets } : {}),
    ...(opts.verified !== undefined ? { verified: opts.verified } : {}),
  });
  const wanted = opts.followers ?? 0;
  const view =
    typeof wanted === 'number'
      ? h.sim.updateAuthorizer(t.appId, { followers: [], addFollowerCount: wanted })
      : h.sim.updateAuthorizer(t.appId, { followers: wanted });
  return { ...t, followers: [...(view.followers ?? [])] };
}
