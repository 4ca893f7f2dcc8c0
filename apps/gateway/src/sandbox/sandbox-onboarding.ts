import type { INestApplication } from '@nestjs/common';
import { systemActor } from '../audit/audit-actor';
import { AuthorizationSessionsService } from '../onboarding/authorization-sessions.service';
import { TooManySessionsError } from '../onboarding/onboarding.errors';
import { TenantAdminService } from '../tenant-admin/tenant-admin.service';
import { TenantsRepository } from '../tenants/tenants.repository';
import type { TenantId } from '../tenants/tenant-id';

import { SANDBOX_DEMO_EXTERNAL_ID } from './sandbox-constants';
import { readSandboxLink, reusableSandboxLink, saveSandboxLink } from './sandbox-link';

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
 * Sandbox only: makes sure a "Sandbox demo" tenant exists and has an onboarding link, so a person
 * can complete onboarding in a browser right after `npm start` (the links lead to the simulator's
 * authorization page). The link of an earlier start is shown again while its session has more than
 * an hour left, so restarts do not pile up sessions.
 */
export async function prepareSandboxOnboarding(app: INestApplication, dataDir: string): Promise<SandboxOnboarding> {
  const tenants = app.get(TenantAdminService);
  const sessions = app.get(AuthorizationSessionsService);
  let tenantId = await app.get(TenantsRepository).findIdByExternalId(SANDBOX_DEMO_EXTERNAL_ID);
  let tenantApiKey: string | undefined;
  if (!tenantId) {
    const created = await tenants.create({ name: 'Sandbox demo', externalId: SANDBOX_DEMO_EXTERNAL_ID }, systemActor('sandbox'));
    tenantId = created.id as TenantId;
    tenantApiKey = created.apiKey;
  }
  const onboardingUrl = await demoLink(sessions, tenantId, dataDir);
  const tenant = await app.get(TenantsRepository).findWithAccount(tenantId);
  return {
    tenantId,
    onboardingUrl,
    tenantApiKey,
    status: tenant?.status ?? 'pending',
    appId: tenant?.account?.appId ?? undefined,
  };
}

async function demoLink(sessions: AuthorizationSessionsService, tenantId: TenantId, dataDir: string): Promise<string> {
  const open = await sessions.listOpen(tenantId);
  const reused = reusableSandboxLink(readSandboxLink(dataDir), tenantId, open);
  if (reused) return reused.onboardingUrl;
  let session;
  try {
    session = await sessions.create(tenantId, { authType: 1 }, systemActor('sandbox'));
  } catch (e) {
    const oldest = open.at(-1);
    if (!(e instanceof TooManySessionsError) || !oldest) throw e;
    // The demo tenant is at the cap (sessions opened through the API, or by starts of an older
    // version): the sandbox's own start must not fail for it, so the oldest one makes room.
    await sessions.close(tenantId, oldest.id, systemActor('sandbox'));
    session = await sessions.create(tenantId, { authType: 1 }, systemActor('sandbox'));
  }
  saveSandboxLink(dataDir, { tenantId, sessionId: session.id, onboardingUrl: session.onboardingUrl });
  return session.onboardingUrl;
}
