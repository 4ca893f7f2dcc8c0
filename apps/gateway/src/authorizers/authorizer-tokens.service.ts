import { type SystemComponent, systemActor } from '../audit/audit-actor';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ComponentApi, WeChatApiError } from '@app/wechat';
import { ComponentTokenService } from '../component/component-token.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { storeUntilLanded } from '../platform/database/database-unavailable';
import { SessionLocks } from '../platform/database/session-locks';
import { isFresh, SingleFlightRefresh, storedTokenServes } from '../platform/database/single-flight-refresh';
import { Transactions } from '../platform/database/transactions';
import type { TenantId } from '../tenants/tenant-id';
import { TenantNotActiveError, TenantNotFoundError } from '../tenants/tenant.errors';
import { AuthorizerAccountsService } from './authorizer-accounts.service';
import { AuthorizerListService } from './authorizer-list.service';
import { AuthorizerSnapshots } from './authorizer-snapshots';
import { AuthorizersRepository } from './authorizers.repository';

/** A token handed to a service that calls WeChat itself. */
export interface HandedOutAuthorizerToken {
  appId: string;
  accessToken: string;
  expiresAt: Date;
}

/**
 * A tenant's authorizer access token. It never leaves this service except into the callback
 * a caller passes to callWithAccessToken. Refreshes follow the shared single-flight pattern
 * (platform/database/single-flight-refresh.ts), one flight per tenant.
 */
@Injectable()
export class AuthorizerTokensService {
  private readonly logger = new Logger(AuthorizerTokensService.name);
  // Same lock name as AuthorizersRepository.lockTokens: grants and revocations wait for a refresh.
  private readonly flights = new SingleFlightRefresh<TenantId>({
    locks: () => this.locks,
    lockName: (tenantId) => `wtg:authorizer-token:${tenantId}`,
    underLock: (tenantId, failedToken) => this.refreshUnderLock(tenantId, failedToken),
  });

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly componentTokens: ComponentTokenService,
    private readonly api: ComponentApi,
    private readonly authorizers: AuthorizersRepository,
    private readonly accounts: AuthorizerAccountsService,
    private readonly transactions: Transactions,
    private readonly locks: SessionLocks,
    private readonly authorizerList: AuthorizerListService,
    private readonly snapshots: AuthorizerSnapshots,
  ) {}

  /**
   * Runs `fn` with the tenant's authorizer access token. The token is refreshed first when
   * under 10 minutes remain. When WeChat calls it invalid (40001/40014/42001) it is refreshed
   * only if the stored token is still the one that failed (another caller may have replaced
   * it already), and `fn` is retried exactly once. A `revoked` answer (61023/61003) marks the
   * tenant reauthorization_required and raises TENANT_NOT_ACTIVE.
   */
  async callWithAccessToken<T>(tenantId: TenantId, fn: (accessToken: string) => Promise<T>): Promise<T> {
    const token = await this.accessToken(tenantId);
    const sentAt = Date.now();
    try {
      return await fn(token);
    } catch (e) {
      if (!(e instanceof WeChatApiError)) throw e;
      if (e.kind === 'revoked') throw await this.accounts.authorizationGone(tenantId, e);
      if (e.kind !== 'token-invalid') throw e;
      this.logger.warn({ tenantId, api: e.api, wechatErr: e.errcode }, 'authorizer token rejected by WeChat; refreshing once');
      // accessToken() hands out tokens with over 10 minutes left: this one died early, maybe the component's too.
      await this.componentTokens.renewAfterEarlyRejection(sentAt);
      const fresh = await this.refresh(tenantId, token);
      try {
        return await fn(fresh);
      } catch (e2) {
        if (e2 instanceof WeChatApiError && e2.kind === 'revoked') throw await this.accounts.authorizationGone(tenantId, e2);
        throw e2;
      }
    }
  }

  /**
   * The tenant's token for a service of the provider that calls WeChat itself, with more than the
   * refresh margin (10 minutes) left: refreshed first when due, single-flight. With `rejected`
   * (WeChat refused that token): replaced only if it is still the stored one (compare-then-expire,
   * one refresh across callers and instances); otherwise the stored token is handed out and
   * WeChat is not called.
   */
  async handOut(tenantId: TenantId, rejected?: string): Promise<HandedOutAuthorizerToken> {
    const token = rejected === undefined ? await this.accessToken(tenantId) : await this.refresh(tenantId, rejected);
    const r = await this.authorizers.readWithTenant(tenantId);
    if (!r) throw new TenantNotFoundError();
    if (r.tenantStatus !== 'active' || !r.appId) throw new TenantNotActiveError(r.tenantStatus);
    // Read again for its expiry; another caller may have replaced it meanwhile, which is as good if fresh.
    if (r.accessToken && r.accessToken !== rejected && (r.accessToken === token || isFresh(r.accessTokenExpiresAt))) {
      return { appId: r.appId, accessToken: r.accessToken, expiresAt: r.accessTokenExpiresAt! };
    }
    return this.handOut(tenantId, rejected);
  }

  /** From the per-process snapshot; a refresh reads the database itself, under the tenant's lock. */
  private async accessToken(tenantId: TenantId): Promise<string> {
    const r = await this.snapshots.get(tenantId);
    if (!r) throw new TenantNotFoundError();
    if (r.tenantStatus !== 'active' || !r.appId) throw new TenantNotActiveError(r.tenantStatus);
    if (r.accessToken && isFresh(r.accessTokenExpiresAt)) return r.accessToken;
    return this.refresh(tenantId);
  }

  /**
   * The background renewer's entry (authorizer-token-renewer.ts): refreshes the tenant's token if
   * under `marginMs` remain, unless a refresh of it is already running here or on another
   * instance (then that one renews it). Returns whether WeChat was called.
   */
  async renewIfDue(tenantId: TenantId, marginMs: number): Promise<boolean> {
    let called = false;
    await this.locks.holdIfFree(`wtg:authorizer-token:${tenantId}`, async () => {
      const r = await this.authorizers.readWithTenant(tenantId);
      if (r?.tenantStatus !== 'active' || !r.appId || !r.refreshToken) return;
      if (storedTokenServes(r.accessToken, r.accessTokenExpiresAt, undefined, marginMs)) return;
      called = true;
      await this.refreshUnderLock(tenantId, undefined, marginMs, 'renewer');
    });
    return called;
  }

  /** One refresh per tenant at a time in this process; a caller whose failed token came back runs its own. */
  private refresh(tenantId: TenantId, failedToken?: string): Promise<string> {
    return this.flights.refresh(tenantId, failedToken);
  }

  /**
   * Holding the tenant's session lock (across instances; no pooled connection is held while
   * WeChat answers): re-check, because another instance may have refreshed while we waited,
   * then refresh. Both tokens WeChat returned are stored (retried until the write lands) before
   * anyone is answered. A refresh token WeChat refuses (61023) or one we cannot read is first
   * looked up in WeChat's authorizer list: a different one there is stored and tried once, and
   * only then is the tenant marked reauthorization_required.
   */
  private async refreshUnderLock(
    tenantId: TenantId,
    failedToken?: string,
    marginMs?: number,
    by: SystemComponent = 'token-refresh',
  ): Promise<string> {
    let componentTokenRenewed = false;
    let recoveryTried = false;
    for (;;) {
      const r = await this.authorizers.readWithTenant(tenantId);
      if (!r) throw new TenantNotFoundError();
      if (r.tenantStatus !== 'active' || !r.appId) throw new TenantNotActiveError(r.tenantStatus);
      if (storedTokenServes(r.accessToken, r.accessTokenExpiresAt, failedToken, marginMs)) return r.accessToken;
      const appId = r.appId;
      let refreshToken = r.refreshToken;
      if (!refreshToken) {
        recoveryTried = true;
        refreshToken = (await this.recoverRefreshToken(tenantId, appId, null, by)) ?? null;
        if (!refreshToken) return this.requireReauthorization(tenantId, by);
      }
      const componentToken = await this.componentTokens.getToken();
      try {
        const reply = await this.api.apiAuthorizerToken(componentToken, {
          component_appid: this.config.wechat.componentAppId,
          authorizer_appid: appId,
          authorizer_refresh_token: refreshToken,
        });
        const expiresAt = new Date(Date.now() + reply.expires_in * 1000);
        // Always keep the refresh token WeChat returned: it may have changed (and the old one died),
        // so the write is retried until it lands and nobody is answered before.
        const tokens = {
          accessToken: reply.authorizer_access_token,
          accessTokenExpiresAt: expiresAt,
          refreshToken: reply.authorizer_refresh_token || refreshToken,
        };
        await storeUntilLanded(() => this.authorizers.storeTokens(tenantId, tokens), {
          onRetry: (e, attempt) =>
            this.logger.warn({ tenantId, attempt, err: (e as Error).message }, 'storing refreshed tokens failed; retrying'),
        });
        this.logger.log({ tenantId, expiresAt: expiresAt.toISOString() }, 'authorizer token refreshed');
        return reply.authorizer_access_token;
      } catch (e) {
        if (e instanceof WeChatApiError && e.kind === 'token-invalid' && !componentTokenRenewed) {
          // The only token in this call is the component's: renew it (compare-then-expire) and retry once.
          componentTokenRenewed = true;
          await this.componentTokens.renew(componentToken);
          continue;
        }
        if (e instanceof WeChatApiError && e.kind === 'revoked') {
          if (!recoveryTried) {
            recoveryTried = true;
            if (await this.recoverRefreshToken(tenantId, appId, refreshToken, by)) continue;
          }
          this.logger.warn({ tenantId, wechatErr: e.errcode }, 'WeChat refused the refresh token; tenant needs re-authorization');
          return this.requireReauthorization(tenantId, by);
        }
        throw e;
      }
    }
  }

  /**
   * The refresh token WeChat lists for the account, stored, when it differs from the one that
   * failed (`failed` null: ours is missing or unreadable). Undefined when the list has none.
   */
  private async recoverRefreshToken(
    tenantId: TenantId,
    appId: string,
    failed: string | null,
    by: SystemComponent,
  ): Promise<string | undefined> {
    const listed = (await this.authorizerList.listed()).get(appId);
    if (!listed || listed === failed) return undefined;
    await storeUntilLanded(() => this.authorizers.storeRefreshToken(tenantId, listed));
    this.logger.warn({ tenantId, appId }, "recovered the refresh token from WeChat's authorizer list");
    await this.authorizerList.record(tenantId, 'refresh_token.recovered', by);
    return listed;
  }

  /** Called holding the tenant's session lock, so it must not take the transaction lock of the same name. */
  private async requireReauthorization(tenantId: TenantId, by: SystemComponent): Promise<never> {
    await this.transactions.run((m) => this.accounts.requireReauthorization(tenantId, m, systemActor(by)));
    throw new TenantNotActiveError('reauthorization_required');
  }
}
