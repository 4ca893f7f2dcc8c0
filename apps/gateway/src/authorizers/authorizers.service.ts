import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type ApiGetAuthorizerInfoResponse, ComponentApi, permissionSetIds, WeChatApiError } from '@app/wechat';
import type { DataSource, EntityManager } from 'typeorm';
import { ComponentTokenService, REFRESH_MARGIN_MS } from '../component/component-token.service';
import { ADVISORY_LOCK_SQL } from '../database/advisory-lock';
import { seal, unseal } from '../component/sealed';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import type { TenantStatus } from '../tenants/tenant.entity';
import type { TenantId } from '../tenants/tenant-id';
import { TenantNotActiveError, TenantNotFoundError } from '../tenants/tenant.errors';

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
  info: ApiGetAuthorizerInfoResponse['authorizer_info'];
}

/** A live tenant and its authorizer (tokens still sealed): the one read every method here starts from. */
interface TenantAuthorizerRow {
  status: TenantStatus;
  app_id: string | null;
  verified: boolean | null;
  permission_sets: number[] | null;
  access_token: string | null;
  access_token_expires_at: Date | null;
  refresh_token: string | null;
}

async function readTenantAuthorizer(
  db: Pick<EntityManager, 'query'>,
  tenantId: TenantId,
): Promise<TenantAuthorizerRow | undefined> {
  const rows: TenantAuthorizerRow[] = await db.query(
    `SELECT t.status, a.app_id, a.verified, a.permission_sets, a.access_token, a.access_token_expires_at, a.refresh_token
       FROM tenants t LEFT JOIN authorizers a ON a.tenant_id = t.id
      WHERE t.id = $1 AND t.deleted_at IS NULL`,
    [tenantId],
  );
  return rows[0];
}

/**
 * A tenant's Official Account: its tokens (encrypted), permission sets and verification.
 * Every method takes the tenant id first; the authorizer access token never leaves this
 * service except into the callback a caller passes to callWithAccessToken.
 */
@Injectable()
export class AuthorizersService {
  private readonly logger = new Logger(AuthorizersService.name);
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly componentTokens: ComponentTokenService,
    private readonly api: ComponentApi,
  ) {}

  /** Status, appid, verification and permission sets: what a permission gate needs, without calling WeChat. */
  async getAccessFacts(tenantId: TenantId): Promise<AccessFacts> {
    const r = await readTenantAuthorizer(this.dataSource, tenantId);
    if (!r) throw new TenantNotFoundError();
    return { tenantStatus: r.status, appId: r.app_id, verified: r.verified ?? false, permissionSets: r.permission_sets ?? [] };
  }

  /**
   * Runs `fn` with the tenant's authorizer access token. The token is refreshed first when
   * under 10 minutes remain. When WeChat calls it invalid (40001/40014/42001) it is refreshed
   * only if the stored token is still the one that failed (another caller may have replaced
   * it already), and `fn` is retried exactly once. 61023/61003 mark the tenant
   * reauthorization_required and raise TENANT_NOT_ACTIVE.
   */
  async callWithAccessToken<T>(tenantId: TenantId, fn: (accessToken: string) => Promise<T>): Promise<T> {
    const token = await this.accessToken(tenantId);
    try {
      return await fn(token);
    } catch (e) {
      if (!(e instanceof WeChatApiError)) throw e;
      if (e.kind === 'revoked') throw await this.authorizationGone(tenantId, e);
      if (e.kind !== 'token-invalid') throw e;
      this.logger.warn({ tenantId, api: e.api, wechatErr: e.errcode }, 'authorizer token rejected by WeChat; refreshing once');
      const fresh = await this.refresh(tenantId, token);
      try {
        return await fn(fresh);
      } catch (e2) {
        if (e2 instanceof WeChatApiError && e2.kind === 'revoked') throw await this.authorizationGone(tenantId, e2);
        throw e2;
      }
    }
  }

  /** Re-reads api_get_authorizer_info and stores verification and permission sets (used after 61007). */
  async refreshAuthorizerInfo(tenantId: TenantId): Promise<{ verified: boolean; permissionSets: number[] }> {
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
    const verified = isVerified(reply.authorizer_info);
    await this.dataSource.query(
      `UPDATE authorizers
          SET nick_name = $2, principal_name = $3, service_type = $4, verify_type = $5, verified = $6,
              permission_sets = $7, updated_at = now()
        WHERE tenant_id = $1 AND app_id = $8`,
      [
        tenantId,
        reply.authorizer_info.nick_name ?? null,
        reply.authorizer_info.principal_name ?? null,
        reply.authorizer_info.service_type_info?.id ?? null,
        reply.authorizer_info.verify_type_info?.id ?? null,
        verified,
        permissionSets,
        facts.appId,
      ],
    );
    return { verified, permissionSets };
  }

  /** api_get_authorizer_info for an appid (onboarding reads it before the account is bound). */
  fetchAuthorizerInfo(appId: string): Promise<ApiGetAuthorizerInfoResponse> {
    return this.componentTokens.call((ct) =>
      this.api.apiGetAuthorizerInfo(ct, { component_appid: this.config.wechat.componentAppId, authorizer_appid: appId }),
    );
  }

  /** The tenant an Official Account is bound to, if any (pushes name the account, not the tenant). */
  async tenantIdForAppId(appId: string): Promise<TenantId | undefined> {
    const rows: { tenant_id: TenantId }[] = await this.dataSource.query(
      `SELECT a.tenant_id FROM authorizers a JOIN tenants t ON t.id = a.tenant_id WHERE a.app_id = $1 AND t.deleted_at IS NULL`,
      [appId],
    );
    return rows[0]?.tenant_id;
  }

  /**
   * Binds (or re-binds) the tenant's Official Account and stores its tokens, inside the
   * caller's transaction, and marks the tenant active.
   */
  async storeGrant(m: EntityManager, tenantId: TenantId, grant: AuthorizationGrant): Promise<void> {
    // Serialized with token refreshes: a refresh still using the refresh token this grant
    // replaces must finish (and fail) before the new tokens land, not after.
    await m.query(ADVISORY_LOCK_SQL, [tokenLockKey(tenantId)]);
    await m.query(
      `INSERT INTO authorizers AS a (tenant_id, app_id, nick_name, principal_name, service_type, verify_type, verified,
                                     permission_sets, access_token, access_token_expires_at, refresh_token, authorized_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now(), now())
       ON CONFLICT (tenant_id) DO UPDATE SET
         app_id = EXCLUDED.app_id, nick_name = EXCLUDED.nick_name, principal_name = EXCLUDED.principal_name,
         service_type = EXCLUDED.service_type, verify_type = EXCLUDED.verify_type, verified = EXCLUDED.verified,
         permission_sets = EXCLUDED.permission_sets, access_token = EXCLUDED.access_token,
         access_token_expires_at = EXCLUDED.access_token_expires_at, refresh_token = EXCLUDED.refresh_token,
         authorized_at = CASE WHEN a.app_id = EXCLUDED.app_id THEN a.authorized_at ELSE now() END,
         updated_at = now()`,
      [
        tenantId,
        grant.appId,
        grant.info.nick_name ?? null,
        grant.info.principal_name ?? null,
        grant.info.service_type_info?.id ?? null,
        grant.info.verify_type_info?.id ?? null,
        isVerified(grant.info),
        grant.permissionSets,
        seal(grant.accessToken),
        new Date(Date.now() + grant.expiresInSeconds * 1000),
        seal(grant.refreshToken),
      ],
    );
    await m.query(`UPDATE tenants SET status = 'active', updated_at = now() WHERE id = $1`, [tenantId]);
  }

  /** The merchant cancelled the authorization: tenant revoked, tokens wiped (the binding stays, so re-authorizing lands here). */
  async markRevoked(tenantId: TenantId): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query(ADVISORY_LOCK_SQL, [tokenLockKey(tenantId)]);
      await m.query(`UPDATE tenants SET status = 'revoked', updated_at = now() WHERE id = $1 AND deleted_at IS NULL`, [tenantId]);
      await m.query(
        `UPDATE authorizers SET access_token = NULL, access_token_expires_at = NULL, refresh_token = NULL, updated_at = now() WHERE tenant_id = $1`,
        [tenantId],
      );
    });
  }

  private async accessToken(tenantId: TenantId): Promise<string> {
    const r = await readTenantAuthorizer(this.dataSource, tenantId);
    if (!r) throw new TenantNotFoundError();
    if (r.status !== 'active' || !r.app_id) throw new TenantNotActiveError(r.status);
    if (r.access_token && isFresh(r.access_token_expires_at)) return unseal(r.access_token)!;
    return this.refresh(tenantId);
  }

  /** One refresh per tenant at a time in this process; a caller whose failed token came back runs its own. */
  private async refresh(tenantId: TenantId, failedToken?: string): Promise<string> {
    let flight = this.inFlight.get(tenantId);
    if (!flight) {
      flight = this.refreshUnderLock(tenantId, failedToken).finally(() => this.inFlight.delete(tenantId));
      this.inFlight.set(tenantId, flight);
    }
    const token = await flight;
    return failedToken !== undefined && token === failedToken ? this.refresh(tenantId, failedToken) : token;
  }

  /**
   * Across instances: an advisory lock per tenant, then a re-check, because another instance
   * may have refreshed while we waited. The new access token and the refresh token WeChat
   * returned are written in one row update in the same transaction.
   */
  private async refreshUnderLock(tenantId: TenantId, failedToken?: string, componentTokenRenewed = false): Promise<string> {
    // Make sure a component token exists before the transaction: renewing it needs connections of
    // its own, and the transaction's connection must not wait on the same pool (many tenants
    // refreshing at once would starve it).
    await this.componentTokens.getToken();
    const outcome = await this.dataSource.transaction(
      async (
        m,
      ): Promise<
        | { token: string }
        | { status: TenantStatus }
        | { missing: true }
        | { componentTokenStale: string; rejection?: WeChatApiError }
      > => {
        await m.query(ADVISORY_LOCK_SQL, [tokenLockKey(tenantId)]);
        const r = await readTenantAuthorizer(m, tenantId);
        if (!r) return { missing: true };
        if (r.status !== 'active' || !r.app_id) return { status: r.status };
        const stored = unseal(r.access_token);
        if (stored && stored !== failedToken && isFresh(r.access_token_expires_at)) return { token: stored };
        const refreshToken = unseal(r.refresh_token);
        if (!refreshToken) {
          await this.markReauthorizationRequired(m, tenantId);
          return { status: 'reauthorization_required' };
        }
        // The component token as stored now, read under the tenant lock: a caller that waited here
        // while another found the component token rejected must not spend a call on it again.
        const [component]: { access_token: string | null; access_token_expires_at: Date | null }[] = await m.query(
          `SELECT access_token, access_token_expires_at FROM component_state WHERE component_app_id = $1`,
          [this.config.wechat.componentAppId],
        );
        const componentToken = unseal(component?.access_token ?? null);
        if (!componentToken) return { componentTokenStale: '' };
        // Expired (or marked so after a rejection); the 10-minute margin is getToken()'s business above.
        const componentExpiresAt = component.access_token_expires_at?.getTime() ?? 0;
        if (componentExpiresAt <= Date.now()) return { componentTokenStale: componentToken };
        const appId = r.app_id;
        try {
          const reply = await this.api.apiAuthorizerToken(componentToken, {
            component_appid: this.config.wechat.componentAppId,
            authorizer_appid: appId,
            authorizer_refresh_token: refreshToken,
          });
          const expiresAt = new Date(Date.now() + reply.expires_in * 1000);
          // Always keep the refresh token WeChat returned: it may have changed, and losing it means re-authorization.
          await m.query(
            `UPDATE authorizers SET access_token = $2, access_token_expires_at = $3, refresh_token = $4 WHERE tenant_id = $1`,
            [tenantId, seal(reply.authorizer_access_token), expiresAt, seal(reply.authorizer_refresh_token || refreshToken)],
          );
          this.logger.log({ tenantId, expiresAt: expiresAt.toISOString() }, 'authorizer token refreshed');
          return { token: reply.authorizer_access_token };
        } catch (e) {
          if (e instanceof WeChatApiError && e.kind === 'token-invalid') {
            // The only token in this call is the component's. Mark it expired before the tenant lock
            // is released (compare-then-expire on the stored value), renew it outside, retry once.
            await m.query(
              `UPDATE component_state SET access_token_expires_at = now(), updated_at = now()
                WHERE component_app_id = $1 AND access_token = $2`,
              [this.config.wechat.componentAppId, component.access_token],
            );
            return { componentTokenStale: componentToken, rejection: e };
          }
          if (e instanceof WeChatApiError && e.kind === 'revoked') {
            this.logger.warn(
              { tenantId, wechatErr: e.errcode },
              'WeChat refused the refresh token; tenant needs re-authorization',
            );
            await this.markReauthorizationRequired(m, tenantId);
            return { status: 'reauthorization_required' };
          }
          throw e;
        }
      },
    );
    if ('token' in outcome) return outcome.token;
    if ('missing' in outcome) throw new TenantNotFoundError();
    if ('componentTokenStale' in outcome) {
      if (componentTokenRenewed && outcome.rejection) throw outcome.rejection;
      if (outcome.componentTokenStale) await this.componentTokens.renew(outcome.componentTokenStale);
      return this.refreshUnderLock(tenantId, failedToken, componentTokenRenewed || outcome.rejection !== undefined);
    }
    throw new TenantNotActiveError(outcome.status);
  }

  private async authorizationGone(tenantId: TenantId, e: WeChatApiError): Promise<TenantNotActiveError> {
    this.logger.warn(
      { tenantId, api: e.api, wechatErr: e.errcode },
      'WeChat says the authorization is gone; tenant needs re-authorization',
    );
    await this.dataSource.transaction(async (m) => {
      await m.query(ADVISORY_LOCK_SQL, [tokenLockKey(tenantId)]);
      await this.markReauthorizationRequired(m, tenantId);
    });
    return new TenantNotActiveError('reauthorization_required');
  }

  private async markReauthorizationRequired(m: EntityManager, tenantId: TenantId): Promise<void> {
    await m.query(
      `UPDATE tenants SET status = 'reauthorization_required', updated_at = now() WHERE id = $1 AND status = 'active'`,
      [tenantId],
    );
    await m.query(
      `UPDATE authorizers SET access_token = NULL, access_token_expires_at = NULL, refresh_token = NULL WHERE tenant_id = $1`,
      [tenantId],
    );
  }
}

export const tokenLockKey = (tenantId: TenantId) => `wtg:authorizer-token:${tenantId}`;

function isFresh(expiresAt: Date | null): boolean {
  return expiresAt !== null && expiresAt.getTime() - Date.now() > REFRESH_MARGIN_MS;
}

function isVerified(info: { verify_type_info?: { id: number } }): boolean {
  const id = info?.verify_type_info?.id;
  return typeof id === 'number' && id !== -1;
}
