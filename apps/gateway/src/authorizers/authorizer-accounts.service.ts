import { Inject, Injectable, Logger } from '@nestjs/common';
import { type ApiGetAuthorizerInfoResponse, ComponentApi, permissionSetIds, WeChatApiError } from '@app/wechat';
import type { EntityManager } from 'typeorm';
import { type ActingParty, systemActor } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { ComponentTokenService } from '../component/component-token.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { Transactions } from '../platform/database/transactions';
import type { TenantStatus } from '../tenants/tenant.entity';
import type { TenantId } from '../tenants/tenant-id';
import { TenantNotActiveError, TenantNotFoundError } from '../tenants/tenant.errors';
import { TenantsRepository } from '../tenants/tenants.repository';
import { TenantEvents } from '../webhooks/tenant-events';
import { AuthorizerSnapshots } from './authorizer-snapshots';
import { AuthorizersRepository } from './authorizers.repository';

export interface AccessFacts {
  tenantStatus: TenantStatus;
  appId: string | null;
  verified: boolean;
  permissionSets: number[];
}

/** What an authorization (api_query_auth + api_get_authorizer_info) hands us to store. */
export interface AuthorizationGrant {
  appId: string;
  accessToken: string;
  expiresInSeconds: number;
  refreshToken: string;
  permissionSets: number[];
  /** null: not read yet (the grant is committed first); the stored info of the same account is kept. */
  info: ApiGetAuthorizerInfoResponse['authorizer_info'] | null;
}

/**
 * A tenant's Official Account apart from its tokens: binding, verification, permission sets,
 * and the status changes WeChat's answers imply (made through the tenants repository).
 */
@Injectable()
export class AuthorizerAccountsService {
  private readonly logger = new Logger(AuthorizerAccountsService.name);

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly componentTokens: ComponentTokenService,
    private readonly api: ComponentApi,
    private readonly authorizers: AuthorizersRepository,
    private readonly tenants: TenantsRepository,
    private readonly transactions: Transactions,
    private readonly events: TenantEvents,
    private readonly snapshots: AuthorizerSnapshots,
    private readonly audit: AuditService,
  ) {}

  /** Status, appid, verification and permission sets: what a permission gate needs, without calling WeChat. */
  async getAccessFacts(tenantId: TenantId): Promise<AccessFacts> {
    const r = await this.snapshots.get(tenantId);
    if (!r) throw new TenantNotFoundError();
    return { tenantStatus: r.tenantStatus, appId: r.appId, verified: r.verified, permissionSets: r.permissionSets };
  }

  /** Re-reads api_get_authorizer_info and stores verification and permission sets (used after 61007 on a call). */
  async refreshAuthorizerInfo(tenantId: TenantId): Promise<{ verified: boolean; permissionSets: number[] }> {
    const { verified, permissionSets } = await this.readAndStoreInfo(tenantId, false, systemActor('calls'));
    return { verified, permissionSets };
  }

  /**
   * The account's original id (gh_…) for an account stored before it was kept: read from WeChat
   * now and stored with the rest of the info (backfilled once, then read from the row).
   */
  async readOriginalId(tenantId: TenantId): Promise<string | null> {
    // Asked for by a message WeChat pushed: a change of sets found on the way is the push's.
    return (await this.readAndStoreInfo(tenantId, false, systemActor('push'))).userName;
  }

  /**
   * After a grant stored without account info (the tokens are committed before any further
   * WeChat call): reads it and, for a first activation, announces tenant.activated with the
   * account as it now reads. If WeChat does not answer, the activation is announced anyway.
   */
  async completeGrant(tenantId: TenantId, activated: boolean, by: ActingParty): Promise<void> {
    try {
      await this.readAndStoreInfo(tenantId, activated, by);
    } catch (e) {
      this.logger.error({ tenantId, err: (e as Error).message }, 'api_get_authorizer_info failed after the exchange');
      if (activated) await this.transactions.run((m) => this.events.statusChanged(m, 'tenant.activated', tenantId));
    }
  }

  private async readAndStoreInfo(tenantId: TenantId, announceActivation: boolean, by: ActingParty) {
    const facts = await this.getAccessFacts(tenantId);
    if (!facts.appId) throw new TenantNotActiveError(facts.tenantStatus);
    let reply: ApiGetAuthorizerInfoResponse;
    try {
      reply = await this.fetchAuthorizerInfo(facts.appId);
    } catch (e) {
      if (e instanceof WeChatApiError && e.kind === 'revoked') throw await this.authorizationGone(tenantId, e);
      throw e;
    }
    const permissionSets = permissionSetIds(reply.authorization_info?.func_info);
    const info = accountInfo(reply.authorizer_info, permissionSets);
    await this.transactions.run(async (m) => {
      await this.authorizers.updateInfo(tenantId, facts.appId!, info, m);
      if (announceActivation) await this.events.statusChanged(m, 'tenant.activated', tenantId);
      else await this.permissionsChanged(m, tenantId, facts.permissionSets, permissionSets, by);
    });
    return { verified: info.verified, permissionSets, userName: info.userName };
  }

  /** api_get_authorizer_info for an appid (onboarding reads it before the account is bound). */
  fetchAuthorizerInfo(appId: string): Promise<ApiGetAuthorizerInfoResponse> {
    return this.componentTokens.call((ct) =>
      this.api.apiGetAuthorizerInfo(ct, { component_appid: this.config.wechat.componentAppId, authorizer_appid: appId }),
    );
  }

  /** The tenant an Official Account is bound to, if any (pushes name the account, not the tenant). */
  tenantIdForAppId(appId: string): Promise<TenantId | undefined> {
    return this.authorizers.tenantIdForAppId(appId);
  }

  /** Whether another live tenant already holds this account; call under the caller's per-appid lock. */
  boundToOtherTenant(tenantId: TenantId, appId: string, m: EntityManager): Promise<boolean> {
    return this.authorizers.boundToOtherTenant(tenantId, appId, m);
  }

  /**
   * Binds (or re-binds) the tenant's Official Account and stores its tokens, inside the
   * caller's transaction, and marks the tenant active. Returns whether it activated the tenant;
   * without account info (`grant.info` null) tenant.activated is left to completeGrant.
   */
  async storeGrant(
    m: EntityManager,
    tenantId: TenantId,
    grant: AuthorizationGrant,
    by: ActingParty,
  ): Promise<{ activated: boolean }> {
    // Serialized with token refreshes: a refresh still using the refresh token this grant
    // replaces must finish (and fail) before the new tokens land, not after.
    await this.authorizers.lockTokens(tenantId, m);
    const before = await this.authorizers.readWithTenant(tenantId, m);
    await this.authorizers.upsertGrant(
      tenantId,
      {
        appId: grant.appId,
        ...accountInfo(grant.info ?? ({} as ApiGetAuthorizerInfoResponse['authorizer_info']), grant.permissionSets),
        keepStoredInfo: grant.info === null,
        accessToken: grant.accessToken,
        accessTokenExpiresAt: new Date(Date.now() + grant.expiresInSeconds * 1000),
        refreshToken: grant.refreshToken,
      },
      m,
    );
    if (await this.tenants.activate(tenantId, m)) {
      // Audited with the change itself; the webhook waits for the account info (completeGrant).
      await this.audit.recordChange(tenantId, by, 'tenant.activated', { appId: grant.appId }, m);
      if (grant.info !== null) await this.events.statusChanged(m, 'tenant.activated', tenantId);
      return { activated: true };
    } else if (before?.appId === grant.appId) {
      // Already active with this account (updateauthorized): only the sets may have changed.
      await this.permissionsChanged(m, tenantId, before.permissionSets, grant.permissionSets, by);
    }
    return { activated: false };
  }

  /** The merchant cancelled the authorization: tenant revoked, tokens wiped (the binding stays, so re-authorizing lands here). */
  async markRevoked(tenantId: TenantId, by: ActingParty): Promise<void> {
    await this.transactions.run(async (m) => {
      await this.authorizers.lockTokens(tenantId, m);
      const revoked = await this.tenants.markRevoked(tenantId, m);
      await this.authorizers.wipeTokens(tenantId, m, { touch: true });
      if (revoked) {
        await this.audit.recordChange(tenantId, by, 'tenant.revoked', null, m);
        await this.events.statusChanged(m, 'tenant.revoked', tenantId);
      }
    });
  }

  /** WeChat says the authorization is gone (61003, 61023 on a call): marks it and returns the error to raise. */
  async authorizationGone(tenantId: TenantId, e: WeChatApiError): Promise<TenantNotActiveError> {
    this.logger.warn(
      { tenantId, api: e.api, wechatErr: e.errcode },
      'WeChat says the authorization is gone; tenant needs re-authorization',
    );
    await this.transactions.run(async (m) => {
      await this.authorizers.lockTokens(tenantId, m);
      await this.requireReauthorization(tenantId, m, systemActor('calls'));
    });
    return new TenantNotActiveError('reauthorization_required');
  }

  /** Inside a transaction holding the token lock: the tenant must authorize again; its tokens are useless. */
  async requireReauthorization(tenantId: TenantId, m: EntityManager, by: ActingParty): Promise<void> {
    const changed = await this.tenants.requireReauthorization(tenantId, m);
    await this.authorizers.wipeTokens(tenantId, m, { touch: false });
    if (changed) {
      await this.audit.recordChange(tenantId, by, 'tenant.reauthorization_required', null, m);
      await this.events.statusChanged(m, 'tenant.reauthorization_required', tenantId);
    }
  }

  /** Audited and announced only when the sets differ. */
  private async permissionsChanged(
    m: EntityManager,
    tenantId: TenantId,
    previous: readonly number[],
    current: readonly number[],
    by: ActingParty,
  ): Promise<void> {
    const [before, after] = [setList(previous), setList(current)];
    if (before === after) return;
    await this.audit.recordChange(tenantId, by, 'tenant.permissions_changed', { previous: before, current: after }, m);
    await this.events.permissionsChanged(m, tenantId, previous, current);
  }
}

/** Permission sets as one comparable, readable value: sorted ids, comma-separated. */
const setList = (sets: readonly number[]) => [...new Set(sets)].sort((a, b) => a - b).join(',');

function accountInfo(info: ApiGetAuthorizerInfoResponse['authorizer_info'], permissionSets: number[]) {
  return {
    userName: typeof info.user_name === 'string' && info.user_name !== '' ? info.user_name : null,
    nickName: info.nick_name ?? null,
    principalName: info.principal_name ?? null,
    serviceType: info.service_type_info?.id ?? null,
    verifyType: info.verify_type_info?.id ?? null,
    verified: isVerified(info),
    permissionSets,
  };
}

function isVerified(info: { verify_type_info?: { id: number } }): boolean {
  const id = info?.verify_type_info?.id;
  return typeof id === 'number' && id !== -1;
}
