import type { INestApplication } from '@nestjs/common';
import { systemActor } from '../audit/audit-actor';
import { AuthorizationSessionsService } from '../onboarding/authorization-sessions.service';
import { TenantAdminService } from '../tenant-admin/tenant-admin.service';
import { TenantsRepository } from '../tenants/tenants.repository';
import type { TenantId } from '../tenants/tenant-id';

import { SANDBOX_DEMO_EXTERNAL_ID } from './sandbox-constants';

export { SANDBOX_DEMO_EXTERNAL_ID };

export interface SandboxOnboarding {
  tenantId: TenantId;
  onboardingUrl: string;
  /** Only when the demo tenant was created by this start (keys are shown once). */
  tenantApiKey?: string;
  status: string;
  /** The demo's Official Account, once one was authorized. */
  appId?: string;
}

/**
 * Sandbox only: makes sure a "Sandbox demo" tenant exists and opens a fresh onboarding
 * session for it, so a person can complete onboarding in a browser right after `npm start`
 * (the links lead to the simulator's authorization page).
 */
export async function prepareSandboxOnboarding(app: INestApplication): Promise<SandboxOnboarding> {
  const tenants = app.get(TenantAdminService);
  const sessions = app.get(AuthorizationSessionsService);
  let tenantId = await app.get(TenantsRepository).findIdByExternalId(SANDBOX_DEMO_EXTERNAL_ID);
  let tenantApiKey: string | undefined;
  if (!tenantId) {
    const created = await tenants.create({ name: 'Sandbox demo', externalId: SANDBOX_DEMO_EXTERNAL_ID }, systemActor('sandbox'));
    tenantId = created.id as TenantId;
    tenantApiKey = created.apiKey;
  }
  const session = await sessions.create(tenantId, { authType: 1 }, systemActor('sandbox'));
  const tenant = await app.get(TenantsRepository).findWithAccount(tenantId);
  return {
    tenantId,
    onboardingUrl: session.onboardingUrl,
    tenantApiKey,
    status: tenant?.status ?? 'pending',
    appId: tenant?.account?.appId ?? undefined,
  };
}
