import { Inject, Injectable, Logger } from '@nestjs/common';
import { isApiAllowed, requiredPermissionSets, WeChatApiError, WebOAuthApi, type SnsUserInfoResponse } from '@app/wechat';
import { createHash, randomBytes } from 'node:crypto';
import { Counter } from 'prom-client';
import { AuditService } from '../audit/audit.service';
import { type ActingParty, systemActor } from '../audit/audit-actor';
import { AuthorizerAccountsService } from '../authorizers/authorizer-accounts.service';
import { PermissionSetMissingError } from '../tenant-calls/tenant-calls.errors';
import { ComponentTokenService } from '../component/component-token.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { MetricsService } from '../platform/metrics/metrics.service';
import type { TenantId } from '../tenants/tenant-id';
import { TenantNotActiveError, TenantNotFoundError } from '../tenants/tenant.errors';
import { TenantsRepository } from '../tenants/tenants.repository';
import type { WebOAuthResultView } from './dto/web-oauth.dto';
import { appendQuery, NONCE_SHAPE, newNonce, parseCallerState, parseReturnUrl, parseScope } from './web-oauth-input';
import {
  WebOAuthAppIdMismatchError,
  WebOAuthCodeInvalidError,
  WebOAuthStateInvalidError,
  WebOAuthTicketInvalidError,
} from './web-oauth.errors';
import { WebOAuthRepository, type WebOAuthIdentity, type WebOAuthScope } from './web-oauth.repository';

const STATE_TTL_SECONDS = 600;
const TICKET_TTL_SECONDS = 60;
export const TICKET_PREFIX = 'wor_';
const TICKET_SHAPE = /^wor_[A-Za-z0-9_-]{22,86}$/;

const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');

export interface AuthorizeQuery {
  scope?: unknown;
  returnUrl?: unknown;
  state?: unknown;
}

/**
 * Web authorization on behalf of a tenant's Official Account (contract section 9): the hosted flow
 * (authorize → WeChat → callback → redemption ticket → the provider's server redeems it) and the
 * direct exchange. The code is exchanged with the **component** token; the follower's tokens live
 * only in this process for the length of one request: never stored, logged or put in a URL.
 */
@Injectable()
export class WebOAuthService {
  private readonly logger = new Logger(WebOAuthService.name);
  private readonly outcomes: Counter<'route' | 'outcome'>;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly tenants: TenantsRepository,
    private readonly flows: WebOAuthRepository,
    private readonly componentTokens: ComponentTokenService,
    private readonly api: WebOAuthApi,
    private readonly accounts: AuthorizerAccountsService,
    private readonly audit: AuditService,
    metrics: MetricsService,
  ) {
    this.outcomes = new Counter({
      name: 'web_oauth_requests_total',
      help: 'Web authorization steps by route (authorize, callback, redemption, exchange) and outcome',
      labelNames: ['route', 'outcome'] as const,
      registers: [metrics.registry],
    });
  }

  /** The 302 target for GET /web-oauth/:tenantId/authorize: WeChat's authorize URL, as the contract writes it. */
  async authorize(tenantId: TenantId | undefined, query: AuthorizeQuery): Promise<string> {
    return this.counted('authorize', async () => {
      if (!tenantId) throw new TenantNotFoundError();
      const { appId, webOAuthOrigins } = await this.usableTenant(tenantId);
      const scope = parseScope(query.scope, true)!;
      const callerState = parseCallerState(query.state);
      const returnUrl = parseReturnUrl(query.returnUrl, {
        httpsOnly: this.config.mode === 'production',
        allowed: (url: URL) => webOAuthOrigins.includes(url.origin) || this.isSandboxDemoPage(url),
      });
      const nonce = newNonce();
      await this.flows.createState(tenantId, digest(nonce), { scope, returnUrl, callerState }, STATE_TTL_SECONDS);
      const redirectUri = `${this.config.publicBaseUrl}/web-oauth/callback`;
      // The order and case the documentation asks for; `#wechat_redirect` last.
      const q = [
        `appid=${encodeURIComponent(appId)}`,
        `redirect_uri=${encodeURIComponent(redirectUri)}`,
        'response_type=code',
        `scope=${scope}`,
        `state=${nonce}`,
        `component_appid=${encodeURIComponent(this.config.wechat.componentAppId)}`,
      ].join('&');
      return `${this.config.wechat.openBaseUrl}/connect/oauth2/authorize?${q}#wechat_redirect`;
    });
  }

  /** The 302 target for GET /web-oauth/callback: the tenant's returnUrl with a redemption ticket, or with error=access_denied. */
  async callback(query: { code?: unknown; state?: unknown; appid?: unknown }): Promise<string> {
    return this.counted('callback', async () => {
      const nonce = typeof query.state === 'string' && NONCE_SHAPE.test(query.state) ? query.state : undefined;
      const flow = nonce ? await this.flows.claimState(digest(nonce)) : undefined;
      if (!flow) throw new WebOAuthStateInvalidError();
      const back = (params: Record<string, string>) =>
        appendQuery(flow.returnUrl, { ...params, ...(flow.callerState !== null ? { state: flow.callerState } : {}) });
      const code = typeof query.code === 'string' && query.code !== '' ? query.code : undefined;
      // Refused: WeChat comes back with the state and no code.
      if (!code) return back({ error: 'access_denied' });
      const { appId } = await this.usableTenant(flow.tenantId);
      if (query.appid !== appId) throw new WebOAuthAppIdMismatchError();
      const identity = await this.exchangeCode(flow.tenantId, appId, code, flow.scope);
      const ticket = TICKET_PREFIX + randomBytes(24).toString('base64url');
      await this.flows.createTicket(flow.tenantId, digest(ticket), identity, TICKET_TTL_SECONDS);
      await this.recordExchange(flow.tenantId, systemActor('web-oauth'), identity.scope, 'callback');
      return back({ wtg_ticket: ticket });
    });
  }

  /** POST …/web-oauth/redemptions: single use, 60 s, this tenant's only; 410 for all three failures alike. */
  async redeem(tenantId: TenantId, ticket: unknown): Promise<WebOAuthResultView> {
    return this.counted('redemption', async () => {
      if (typeof ticket !== 'string' || !TICKET_SHAPE.test(ticket)) throw new WebOAuthTicketInvalidError();
      const identity = await this.flows.redeemTicket(tenantId, digest(ticket));
      if (!identity) throw new WebOAuthTicketInvalidError();
      return toView(identity);
    });
  }

  /** POST …/web-oauth/exchanges: a code the provider's own callback received. */
  async exchange(tenantId: TenantId, by: ActingParty, body: { code: string; scope?: string }): Promise<WebOAuthResultView> {
    return this.counted('exchange', async () => {
      const { appId } = await this.usableTenant(tenantId);
      const identity = await this.exchangeCode(tenantId, appId, body.code, body.scope as WebOAuthScope | undefined);
      await this.recordExchange(tenantId, by, identity.scope, 'exchange');
      return toView(identity);
    });
  }

  /** The tenant's appid and origins, when it is active and holds the web service set (403 PERMISSION_SET_MISSING otherwise). */
  private async usableTenant(tenantId: TenantId): Promise<{ appId: string; webOAuthOrigins: string[] }> {
    const t = await this.tenants.findWithAccount(tenantId);
    if (!t) throw new TenantNotFoundError();
    if (t.status !== 'active' || !t.account) throw new TenantNotActiveError(t.status);
    const granted = t.account.permissionSets;
    if (!isApiAllowed('sns_component_access_token', granted)) {
      throw new PermissionSetMissingError(requiredPermissionSets('sns_component_access_token'), granted);
    }
    return { appId: t.account.appId, webOAuthOrigins: t.webOAuthOrigins };
  }

  /**
   * One exchange of the code with the component token (refreshed once if WeChat rejects it), then
   * the profile for snsapi_userinfo. 40029/40163 → WEB_OAUTH_CODE_INVALID; 61003 → the tenant is
   * revoked, as an `unauthorized` push would have done.
   */
  private async exchangeCode(tenantId: TenantId, appId: string, code: string, scope?: WebOAuthScope): Promise<WebOAuthIdentity> {
    try {
      const reply = await this.componentTokens.call((cat) =>
        this.api.componentAccessToken(cat, { appId, code, componentAppId: this.config.wechat.componentAppId }),
      );
      // The scope the flow asked for (the hosted flow always knows it); else what WeChat says it granted.
      const granted: WebOAuthScope =
        scope ?? (typeof reply.scope === 'string' && reply.scope.includes('snsapi_userinfo') ? 'snsapi_userinfo' : 'snsapi_base');
      let user: SnsUserInfoResponse | undefined;
      if (granted === 'snsapi_userinfo') user = await this.api.userInfo(reply.access_token, reply.openid);
      const unionid = user?.unionid ?? reply.unionid ?? null;
      return {
        appId,
        openid: reply.openid,
        unionid,
        scope: granted,
        userInfo: user
          ? {
              nickname: user.nickname,
              sex: user.sex,
              province: user.province,
              city: user.city,
              country: user.country,
              headimgurl: user.headimgurl,
              privilege: user.privilege ?? [],
            }
          : null,
      };
    } catch (e) {
      if (e instanceof WeChatApiError && e.kind === 'oauth-code-rejected') throw new WebOAuthCodeInvalidError();
      if (e instanceof WeChatApiError && e.kind === 'revoked') {
        this.logger.warn(
          { tenantId, wechatErr: e.errcode },
          'WeChat says the account no longer authorizes the component; tenant revoked',
        );
        await this.accounts.markRevoked(tenantId, systemActor('web-oauth'));
        throw new TenantNotActiveError('revoked');
      }
      throw e;
    }
  }

  /** Sandbox only: the gateway's own demo page (sandbox-demo.controller.ts) is always a returnUrl. */
  private isSandboxDemoPage(url: URL): boolean {
    if (this.config.mode !== 'sandbox') return false;
    const own = new URL(this.config.publicBaseUrl);
    return url.origin === own.origin && url.pathname.startsWith('/sandbox/web-oauth-demo/');
  }

  private async recordExchange(tenantId: TenantId, by: ActingParty, scope: WebOAuthScope, trigger: string): Promise<void> {
    // Who the follower is stays out of the audit trail: the count is the record.
    await this.audit.record(tenantId, {
      ...by,
      action: 'web_oauth.exchange',
      total: 1,
      succeeded: 1,
      invalid: 0,
      failed: 0,
      details: { scope, trigger },
    });
  }

  private async counted<T>(route: string, fn: () => Promise<T>): Promise<T> {
    try {
      const result = await fn();
      this.outcomes.inc({ route, outcome: 'ok' });
      return result;
    } catch (e) {
      const code = (e as { code?: unknown })?.code;
      this.outcomes.inc({ route, outcome: typeof code === 'string' ? code.toLowerCase() : 'error' });
      throw e;
    }
  }
}

function toView(identity: WebOAuthIdentity): WebOAuthResultView {
  return {
    appId: identity.appId,
    openid: identity.openid,
    ...(identity.unionid ? { unionid: identity.unionid } : {}),
    scope: identity.scope,
    ...(identity.userInfo ? { user: identity.userInfo as unknown as WebOAuthResultView['user'] } : {}),
  };
}
