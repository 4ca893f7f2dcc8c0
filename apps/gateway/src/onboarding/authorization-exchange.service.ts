import type { ActingParty } from '../audit/audit-actor';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ComponentApi, permissionSetIds, WeChatApiError } from '@app/wechat';
import { createHash } from 'node:crypto';
import { AuthorizerAccountsService } from '../authorizers/authorizer-accounts.service';
import { ComponentCallBudget } from '../component/component-call-budget';
import { ComponentTokenService } from '../component/component-token.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { lockForTransaction } from '../platform/database/advisory-lock';
import { SessionLocks } from '../platform/database/session-locks';
import { Transactions } from '../platform/database/transactions';
import type { TenantId } from '../tenants/tenant-id';
import { TenantsRepository } from '../tenants/tenants.repository';
import type { ExchangeOutcome } from './authorization-code-exchange.entity';
import { OnboardingRepository } from './onboarding.repository';

export type ExchangeResult =
  | { outcome: ExchangeOutcome; tenantId: TenantId; appId: string | null; replayed: boolean }
  | { outcome: 'tenant_gone'; tenantId: TenantId; appId: null; replayed: false };

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

/**
 * Exchanges an authorization code exactly once, whether the browser callback or the
 * `authorized` push arrives first (or both at once, on different instances): an advisory
 * lock per code serializes them and one row per code records the outcome for the other.
 */
@Injectable()
export class AuthorizationExchangeService {
  private readonly logger = new Logger(AuthorizationExchangeService.name);

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly componentTokens: ComponentTokenService,
    private readonly api: ComponentApi,
    private readonly accounts: AuthorizerAccountsService,
    private readonly tenants: TenantsRepository,
    private readonly onboarding: OnboardingRepository,
    private readonly transactions: Transactions,
    private readonly budget: ComponentCallBudget,
    private readonly locks: SessionLocks,
  ) {}

  /**
   * The recorded outcome of a code already exchanged, if any. The record commits before the
   * account info is read and stored (exchange), so a found record waits for the code's lock: the
   * caller then reads the account complete, as one waiting on the lock in exchange does.
   */
  async recorded(authCode: string): Promise<ExchangeResult | undefined> {
    const codeHash = sha256(authCode);
    if (!(await this.onboarding.findExchange(codeHash))) return undefined;
    const done = await this.locks.hold(`wtg:auth-code:${codeHash}`, () => this.onboarding.findExchange(codeHash));
    return done && { ...done, replayed: true };
  }

  /**
   * Exchanges the code for the tenant (api_query_auth), commits its tokens and permission sets
   * (marking the tenant active) before any other WeChat call, then reads the account
   * (api_get_authorizer_info). An account already bound to another live tenant changes nothing.
   */
  async exchange(
    authCode: string,
    binding: { tenantId: TenantId; sessionId: string | null },
    by: ActingParty,
  ): Promise<ExchangeResult> {
    const codeHash = sha256(authCode);
    const { tenantId, sessionId } = binding;
    // The code's lock is a session lock (platform/database/session-locks.ts) so that it also covers the
    // account-info read made after the grant commits: the other path waiting on it then finds
    // the account complete, not half-stored.
    return this.locks.hold(`wtg:auth-code:${codeHash}`, () =>
      this.exchangeHoldingLock(authCode, codeHash, tenantId, sessionId, by),
    );
  }

  private async exchangeHoldingLock(
    authCode: string,
    codeHash: string,
    tenantId: TenantId,
    sessionId: string | null,
    by: ActingParty,
  ): Promise<ExchangeResult> {
    let activatedHere = false;
    const result = await this.transactions.run(async (m): Promise<ExchangeResult> => {
      const done = await this.onboarding.findExchange(codeHash, m);
      if (done) return { ...done, replayed: true };

      if (!(await this.tenants.isLive(tenantId, m))) return { outcome: 'tenant_gone', tenantId, appId: null, replayed: false };

      const record = async (outcome: ExchangeOutcome, appId: string | null): Promise<ExchangeResult> => {
        await this.onboarding.recordExchange(tenantId, { codeHash, sessionId, outcome, appId }, m);
        return { outcome, tenantId, appId, replayed: false };
      };

      let auth;
      await this.budget.spend('api_query_auth');
      try {
        auth = await this.componentTokens.call((ct) =>
          this.api.apiQueryAuth(ct, { component_appid: this.config.wechat.componentAppId, authorization_code: authCode }),
        );
      } catch (e) {
        if (e instanceof WeChatApiError && e.kind === 'auth-code-rejected') {
          this.logger.warn({ tenantId, wechatErr: e.errcode }, 'WeChat rejected the authorization code; onboarding must restart');
          return record('code_invalid', null);
        }
        throw e;
      }
      const info = auth.authorization_info;
      const appId = info.authorizer_appid;

      // One Official Account, one tenant: serialize binders of this appid, then check.
      await lockForTransaction(m, `wtg:authorizer-app:${appId}`);
      if (await this.accounts.boundToOtherTenant(tenantId, appId, m)) {
        this.logger.warn({ tenantId, appId }, 'Official Account already bound to another tenant; nothing changed');
        return record('already_bound', appId);
      }

      // The code is spent at WeChat now, and any refresh token stored before is dead: commit the
      // exchanged tokens before any other WeChat call (a crash in a second round trip would
      // otherwise lose them), and read the account info after the commit.
      const { activated } = await this.accounts.storeGrant(
        m,
        tenantId,
        {
          appId,
          accessToken: info.authorizer_access_token,
          expiresInSeconds: info.expires_in,
          refreshToken: info.authorizer_refresh_token,
          permissionSets: permissionSetIds(info.func_info),
          info: null,
        },
        by,
      );
      if (sessionId) await this.onboarding.completeSession(sessionId, m);
      this.logger.log({ tenantId, appId, via: sessionId ? 'session' : 'bound account' }, 'authorization stored; tenant active');
      activatedHere = activated;
      return record('authorized', appId);
    });
    if (result.outcome === 'authorized' && !result.replayed) await this.accounts.completeGrant(tenantId, activatedHere, by);
    return result;
  }

  /** Closes a session whose authorization was completed by the other path. */
  completeSession(sessionId: string): Promise<void> {
    return this.onboarding.completeSession(sessionId);
  }
}
