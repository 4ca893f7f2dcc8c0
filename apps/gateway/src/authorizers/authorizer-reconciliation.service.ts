import { systemActor } from '../audit/audit-actor';
import { Injectable, Logger } from '@nestjs/common';
import { storeUntilLanded } from '../platform/database/database-unavailable';
import { SessionLocks } from '../platform/database/session-locks';
import type { TenantId } from '../tenants/tenant-id';
import { AuthorizerAccountsService } from './authorizer-accounts.service';
import { AuthorizerListService } from './authorizer-list.service';
import { AuthorizersRepository } from './authorizers.repository';

export interface ReconciliationResult {
  checked: number;
  replaced: number;
  revoked: number;
}

/**
 * Compares WeChat's authorizer list with our active tenants: a stored refresh token that differs
 * from WeChat's is replaced (ours was lost or is stale), and an account missing from the list is
 * revoked exactly as the `unauthorized` push does (tenant.revoked webhook). Each change is an
 * audit event (actor system) and counted in authorizer_refresh_token_recoveries_total.
 *
 * Our side is read BEFORE the list: a refresh that rotates a token after the snapshot shows as a
 * stored value that no longer matches the snapshot, and is then left alone (it is newer).
 */
@Injectable()
export class AuthorizerReconciliationService {
  private readonly logger = new Logger(AuthorizerReconciliationService.name);

  constructor(
    private readonly authorizers: AuthorizersRepository,
    private readonly list: AuthorizerListService,
    private readonly accounts: AuthorizerAccountsService,
    private readonly locks: SessionLocks,
  ) {}

  async reconcile(): Promise<ReconciliationResult> {
    const ours = (await this.authorizers.listBound()).filter((b) => b.tenantStatus === 'active');
    const listed = await this.list.freshList();
    const result: ReconciliationResult = { checked: ours.length, replaced: 0, revoked: 0 };
    for (const b of ours) {
      try {
        const theirs = listed.get(b.appId);
        if (theirs === undefined) {
          if (await this.revoke(b.tenantId, b.refreshToken)) result.revoked++;
        } else if (theirs !== b.refreshToken) {
          if (await this.replace(b.tenantId, b.refreshToken, theirs)) result.replaced++;
        }
      } catch (e) {
        this.logger.error({ tenantId: b.tenantId, err: (e as Error).message }, 'could not reconcile an authorizer');
      }
    }
    this.logger.log(result, "reconciled WeChat's authorizer list");
    return result;
  }

  /** Under the tenant's refresh lock: replaced only if nobody changed the stored token since the snapshot. */
  private async replace(tenantId: TenantId, seen: string | null, listed: string): Promise<boolean> {
    const changed = await this.locks.hold(`wtg:authorizer-token:${tenantId}`, async () => {
      const now = await this.authorizers.readWithTenant(tenantId);
      if (now?.tenantStatus !== 'active' || now.refreshToken !== seen) return false;
      await storeUntilLanded(() => this.authorizers.storeRefreshToken(tenantId, listed));
      return true;
    });
    if (changed) {
      this.logger.warn({ tenantId }, "stored refresh token differed from WeChat's list; replaced");
      await this.list.record(tenantId, 'refresh_token.replaced', 'reconciliation');
    }
    return changed;
  }

  /** Not under the session lock: markRevoked takes the transaction lock of the same name itself. */
  private async revoke(tenantId: TenantId, seen: string | null): Promise<boolean> {
    const now = await this.authorizers.readWithTenant(tenantId);
    // A grant since the snapshot brought new tokens: the list we read predates it.
    if (now?.tenantStatus !== 'active' || now.refreshToken !== seen) return false;
    await this.accounts.markRevoked(tenantId, systemActor('reconciliation'));
    this.logger.warn({ tenantId }, "account missing from WeChat's authorizer list; tenant revoked");
    await this.list.record(tenantId, 'authorizer.revoked', 'reconciliation');
    return true;
  }
}
