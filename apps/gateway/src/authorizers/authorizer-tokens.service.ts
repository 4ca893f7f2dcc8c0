import { Inject, Injectable, Logger } from '@nestjs/common';
import { ComponentApi, WeChatApiError } from '@app/wechat';
import { ComponentTokenService } from '../component/component-token.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { isFresh, SingleFlightRefresh, storedTokenServes } from '../database/single-flight-refresh';
import { Transactions } from '../database/transactions';
import type { TenantStatus } from '../tenants/tenant.entity';
import type { TenantId } from '../tenants/tenant-id';
import { TenantNotActiveError, TenantNotFoundError } from '../tenants/tenant.errors';
import { AuthorizerAccountsService } from './authorizer-accounts.service';
import { AuthorizersRepository } from './authorizers.repository';

/** A token handed to a service that calls WeChat itself. */
export interface HandedOutAuthorizerToken {
  appId: string;
  accessToken: string;
  expiresAt: Date;
}

type RefreshOutcome =
  { token: string } | { status: TenantStatus } | { missing: true } | { componentTokenStale: string; rejection?: WeChatApiError };

/**
 * A tenant's authorizer access token. It never leaves this service except into the callback
 * a caller passes to callWithAccessToken. Refreshes follow the shared single-flight pattern
 * (database/single-flight-refresh.ts), one flight per tenant.
 */
@Injectable()
export class AuthorizerTokensService {
  private readonly logger = new Logger(AuthorizerTokensService.name);
  private readonly flights = new SingleFlightRefresh<TenantId>((tenantId, failedToken) =>
    this.refreshUnderLock(tenantId, failedToken),
  );

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly componentTokens: ComponentTokenService,
    private readonly api: ComponentApi,
    private readonly authorizers: AuthorizersRepository,
    private readonly accounts: AuthorizerAccountsService,
    private readonly transactions: Transactions,
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
    try {
      return await fn(token);
    } catch (e) {
      if (!(e instanceof WeChatApiError)) throw e;
      if (e.kind === 'revoked') throw await this.accounts.authorizationGone(tenantId, e);
      if (e.kind !== 'token-invalid') throw e;
      this.logger.warn({ tenantId, api: e.api, wechatErr: e.errcode }, 'authorizer token rejected by WeChat; refreshing once');
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

  private async accessToken(tenantId: TenantId): Promise<string> {
    const r = await this.authorizers.readWithTenant(tenantId);
    if (!r) throw new TenantNotFoundError();
    if (r.tenantStatus !== 'active' || !r.appId) throw new TenantNotActiveError(r.tenantStatus);
    if (r.accessToken && isFresh(r.accessTokenExpiresAt)) return r.accessToken;
    return this.refresh(tenantId);
  }

  /** One refresh per tenant at a time in this process; a caller whose failed token came back runs its own. */
  private refresh(tenantId: TenantId, failedToken?: string): Promise<string> {
    return this.flights.refresh(tenantId, failedToken);
  }

  /**
   * Across instances: the tenant's token lock, then a re-check, because another instance may
   * have refreshed while we waited. The new access token and the refresh token WeChat returned
   * are written in one row update in the same transaction.
   */
  private async refreshUnderLock(tenantId: TenantId, failedToken?: string, componentTokenRenewed = false): Promise<string> {
    // Make sure a component token exists before the transaction: renewing it needs connections of
    // its own, and the transaction's connection must not wait on the same pool (many tenants
    // refreshing at once would starve it).
    await this.componentTokens.getToken();
    const outcome = await this.transactions.run(async (m): Promise<RefreshOutcome> => {
      await this.authorizers.lockTokens(tenantId, m);
      const r = await this.authorizers.readWithTenant(tenantId, m);
      if (!r) return { missing: true };
      if (r.tenantStatus !== 'active' || !r.appId) return { status: r.tenantStatus };
      if (storedTokenServes(r.accessToken, r.accessTokenExpiresAt, failedToken)) return { token: r.accessToken };
      const refreshToken = r.refreshToken;
      if (!refreshToken) {
        await this.accounts.requireReauthorization(tenantId, m);
        return { status: 'reauthorization_required' };
      }
      // The component token as stored now, read under the tenant lock: a caller that waited here
      // while another found the component token rejected must not spend a call on it again.
      const component = await this.componentTokens.storedToken(m);
      if (!component.token) return { componentTokenStale: '' };
      if (component.expired) return { componentTokenStale: component.token };
      const appId = r.appId;
      try {
        const reply = await this.api.apiAuthorizerToken(component.token, {
          component_appid: this.config.wechat.componentAppId,
          authorizer_appid: appId,
          authorizer_refresh_token: refreshToken,
        });
        const expiresAt = new Date(Date.now() + reply.expires_in * 1000);
        // Always keep the refresh token WeChat returned: it may have changed, and losing it means re-authorization.
        await this.authorizers.storeTokens(
          tenantId,
          {
            accessToken: reply.authorizer_access_token,
            accessTokenExpiresAt: expiresAt,
            refreshToken: reply.authorizer_refresh_token || refreshToken,
          },
          m,
        );
        this.logger.log({ tenantId, expiresAt: expiresAt.toISOString() }, 'authorizer token refreshed');
        return { token: reply.authorizer_access_token };
      } catch (e) {
        if (e instanceof WeChatApiError && e.kind === 'token-invalid') {
          // The only token in this call is the component's. Mark it expired before the tenant lock
          // is released (compare-then-expire on the stored value), renew it outside, retry once.
          await this.componentTokens.expireRejected(component.token, m);
          return { componentTokenStale: component.token, rejection: e };
        }
        if (e instanceof WeChatApiError && e.kind === 'revoked') {
          this.logger.warn({ tenantId, wechatErr: e.errcode }, 'WeChat refused the refresh token; tenant needs re-authorization');
          await this.accounts.requireReauthorization(tenantId, m);
          return { status: 'reauthorization_required' };
        }
        throw e;
      }
    });
    if ('token' in outcome) return outcome.token;
    if ('missing' in outcome) throw new TenantNotFoundError();
    if ('componentTokenStale' in outcome) {
      if (componentTokenRenewed && outcome.rejection) throw outcome.rejection;
      if (outcome.componentTokenStale) await this.componentTokens.renew(outcome.componentTokenStale);
      return this.refreshUnderLock(tenantId, failedToken, componentTokenRenewed || outcome.rejection !== undefined);
    }
    throw new TenantNotActiveError(outcome.status);
  }
}
