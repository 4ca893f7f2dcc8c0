import { Injectable, Logger } from '@nestjs/common';
import { apiRule, type OfficialAccountApi } from '@app/wechat';
import { AuthorizerAccountsService } from '../authorizers/authorizer-accounts.service';
import { apiReadiness, type ApiRequirement, BLACKLIST_APIS } from '../tenants/capabilities';
import type { TenantId } from '../tenants/tenant-id';
import { TenantNotActiveError } from '../tenants/tenant.errors';
import { AccountNotVerifiedError, PermissionSetMissingError } from './tenant-calls.errors';

const byNumber = (sets: readonly number[]) => [...sets].sort((a, b) => a - b);

/**
 * What must hold before a tenant's Official Account API call (typed or proxied) reaches WeChat,
 * read from our own records (no WeChat call): apiReadiness (tenants/capabilities.ts), the rule
 * the tenant view reports too, asked for the one API about to be called, with each reason as its
 * error. TenantCalls asks it; features do not.
 */
@Injectable()
export class ApiGate {
  private readonly logger = new Logger(ApiGate.name);

  constructor(private readonly authorizers: AuthorizerAccountsService) {}

  assertAllowed(tenantId: TenantId, api: OfficialAccountApi): Promise<void> {
    // The blacklist APIs keep the name merchants know them by in the not-verified message.
    return this.assertReady(tenantId, apiRule(api), BLACKLIST_APIS.includes(api) ? 'blacklist management' : api);
  }

  /** The same check for any API the library's path table describes (the proxy asks for the path it is about to call). */
  async assertReady(tenantId: TenantId, requirement: ApiRequirement, what = 'blacklist management'): Promise<void> {
    const facts = await this.authorizers.getAccessFacts(tenantId);
    const readiness = apiReadiness(facts.tenantStatus, facts.verified, facts.permissionSets, [requirement]);
    switch (readiness.reason) {
      case undefined:
        return;
      case 'not_active':
        throw new TenantNotActiveError(facts.tenantStatus);
      case 'not_verified':
        throw new AccountNotVerifiedError(what);
      case 'permission_set_missing':
        throw new PermissionSetMissingError(requirement.permissionSets, byNumber(facts.permissionSets));
    }
  }

  /**
   * WeChat refused a call for a missing permission set (61007): the granted sets, re-read from
   * WeChat and stored. If that re-read fails, what we have stored, so the caller still answers
   * PERMISSION_SET_MISSING rather than the re-read's error.
   */
  async permissionSetsAfterRefusal(tenantId: TenantId): Promise<number[]> {
    try {
      return (await this.authorizers.refreshAuthorizerInfo(tenantId)).permissionSets;
    } catch (e) {
      this.logger.warn({ tenantId, err: String((e as Error)?.message ?? e) }, 'could not re-read authorizer info after 61007');
      try {
        return byNumber((await this.authorizers.getAccessFacts(tenantId)).permissionSets);
      } catch {
        return [];
      }
    }
  }
}
