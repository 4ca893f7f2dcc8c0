import { Injectable, Logger } from '@nestjs/common';
import { requiredPermissionSets, type OfficialAccountApi } from '@app/wechat';
import { AuthorizerAccountsService } from '../authorizers/authorizer-accounts.service';
import { blacklistReadiness } from '../tenants/capabilities';
import type { TenantId } from '../tenants/tenant-id';
import { TenantNotActiveError } from '../tenants/tenant.errors';
import { AccountNotVerifiedError, PermissionSetMissingError } from './blacklist.errors';

const byNumber = (sets: readonly number[]) => [...sets].sort((a, b) => a - b);

/**
 * What must hold before any blacklist call reaches WeChat, read from our own records (no
 * WeChat call): blacklistReadiness (authorizers/capabilities.ts), the rule the tenant view
 * reports too, asked for the one API about to be called, with each reason as its error.
 */
@Injectable()
export class BlacklistGate {
  private readonly logger = new Logger(BlacklistGate.name);

  constructor(private readonly authorizers: AuthorizerAccountsService) {}

  async assertAllowed(tenantId: TenantId, api: OfficialAccountApi): Promise<void> {
    const facts = await this.authorizers.getAccessFacts(tenantId);
    const readiness = blacklistReadiness(facts.tenantStatus, facts.verified, facts.permissionSets, [api]);
    switch (readiness.reason) {
      case undefined:
        return;
      case 'not_active':
        throw new TenantNotActiveError(facts.tenantStatus);
      case 'not_verified':
        throw new AccountNotVerifiedError();
      case 'permission_set_missing':
        throw new PermissionSetMissingError(requiredPermissionSets(api), byNumber(facts.permissionSets));
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
