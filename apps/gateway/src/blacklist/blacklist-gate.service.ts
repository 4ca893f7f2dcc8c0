import { Injectable } from '@nestjs/common';
import { isApiAllowed, requiredPermissionSets, type OfficialAccountApi } from '@app/wechat';
import { AuthorizerAccountsService } from '../authorizers/authorizer-accounts.service';
import { TenantNotActiveError } from '../tenants/tenant.errors';
import { AccountNotVerifiedError, PermissionSetMissingError } from './blacklist.errors';
import type { TenantId } from '../tenants/tenant-id';

/**
 * What must hold before any blacklist call reaches WeChat, read from our own records (no
 * WeChat call): the tenant is active, its account verified, and its authorization holds
 * one of the API's permission sets (from the library's table, never hard-coded here).
 */
@Injectable()
export class BlacklistGate {
  constructor(private readonly authorizers: AuthorizerAccountsService) {}

  async assertAllowed(tenantId: TenantId, api: OfficialAccountApi): Promise<void> {
    const facts = await this.authorizers.getAccessFacts(tenantId);
    if (facts.tenantStatus !== 'active') throw new TenantNotActiveError(facts.tenantStatus);
    if (!facts.verified) throw new AccountNotVerifiedError();
    if (!isApiAllowed(api, facts.permissionSets)) {
      throw new PermissionSetMissingError(
        requiredPermissionSets(api),
        [...facts.permissionSets].sort((a, b) => a - b),
      );
    }
  }
}
