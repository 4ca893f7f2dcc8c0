import { systemActor } from '../audit/audit-actor';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { WeChatApiError, WeChatError } from '@app/wechat';
import { blacklistReadiness } from '../tenants/capabilities';
import { nextChinaMidnight } from '../component/component-call-budget';
import { ComponentBudgetExhaustedError, ComponentTicketMissingError } from '../component/component.errors';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { TenantsRepository } from '../tenants/tenants.repository';
import type { TenantId } from '../tenants/tenant-id';
import { AuthorizationExchangeService } from './authorization-exchange.service';
import { AuthorizationSessionsService, isOpen } from './authorization-sessions.service';
import type { Locale } from './messages/catalogue';
import {
  alreadyBoundPage,
  authorizedPage,
  budgetExhaustedPage,
  quotaExhaustedPage,
  codeInvalidPage,
  missingCodePage,
  onboardingPage,
  type Page,
  sessionGonePage,
  sessionNotFoundPage,
  tenantGonePage,
  ticketMissingPage,
  wechatUnavailablePage,
} from './pages';

export type CallbackAnswer = { redirect: string } | { page: Page };

/** The merchant-facing half of onboarding: the page with WeChat's links and the return from WeChat. */
@Injectable()
export class OnboardingService {
  private readonly logger = new Logger(OnboardingService.name);

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly sessions: AuthorizationSessionsService,
    private readonly exchange: AuthorizationExchangeService,
    private readonly tenants: TenantsRepository,
  ) {}

  /** Pre-auth codes are single-use and live minutes, the page lives a day: reloads reuse a code while it is good. */
  async onboardingPage(token: string, lang?: Locale): Promise<Page> {
    const session = await this.sessions.findByToken(token);
    if (!session) return sessionNotFoundPage();
    // A completed session's link opened again (a bookmark, the back button): the account it connected, not an error.
    if (session.completedAt !== null) return (await this.completedPage(session.tenantId)) ?? sessionGonePage();
    if (!isOpen(session)) return sessionGonePage();
    let preAuthCode: string;
    try {
      preAuthCode = await this.sessions.preAuthCodeFor(session);
    } catch (e) {
      return this.wechatFailurePage(e, 'minting a pre-auth code');
    }
    const { componentAppId, mpBaseUrl, openBaseUrl } = this.config.wechat;
    // A language the merchant chose explicitly (?lang=) comes back with them to the result page.
    const langParam = lang ? `&lang=${encodeURIComponent(lang)}` : '';
    const redirectUri = `${this.config.publicBaseUrl}/wechat/authorization/callback?session=${encodeURIComponent(session.id)}${langParam}`;
    const params = [
      `component_appid=${encodeURIComponent(componentAppId)}`,
      `pre_auth_code=${encodeURIComponent(preAuthCode)}`,
      `redirect_uri=${encodeURIComponent(redirectUri)}`,
      `auth_type=${session.authType}`,
    ].join('&');
    return onboardingPage({
      pc: `${trimSlash(mpBaseUrl)}/cgi-bin/componentloginpage?${params}`,
      mobile: `${trimSlash(openBaseUrl)}/wxaopen/safe/bindcomponent?action=bindcomponent&no_scan=1&${params}#wechat_redirect`,
    });
  }

  /**
   * WeChat sends the browser back here with an auth code. If the push already exchanged it
   * (or this is a reload), the recorded outcome answers; otherwise the code is exchanged now.
   */
  async callback(sessionId: string | undefined, authCode: string | undefined): Promise<CallbackAnswer> {
    const session = sessionId === undefined ? undefined : await this.sessions.findById(sessionId);
    if (!session) return { page: sessionNotFoundPage() };
    if (authCode === undefined) return { page: missingCodePage() };

    let result;
    try {
      result = await this.exchange.recorded(authCode);
      if (!result) {
        if (!isOpen(session)) return { page: sessionGonePage() };
        // The session id is public (it is in redirect_uri): guessing codes for it must not spend the component's quota.
        if (await this.sessions.rejectedTooManyCodes(session.id)) return { page: codeInvalidPage() };
        // WeChat sent the browser back with a new code: the page's pre-auth code is spent, whatever the exchange says.
        await this.sessions.retirePreAuthCodes(session.id);
        result = await this.exchange.exchange(
          authCode,
          { tenantId: session.tenantId, sessionId: session.id },
          systemActor('onboarding'),
        );
      }
    } catch (e) {
      return { page: this.wechatFailurePage(e, 'exchanging the authorization code') };
    }

    switch (result.outcome) {
      case 'tenant_gone':
        return { page: tenantGonePage() };
      case 'code_invalid':
        return { page: codeInvalidPage() };
      case 'already_bound':
        return { page: alreadyBoundPage(result.appId) };
      case 'authorized':
        break;
    }
    // A code recorded for another tenant's session is not this session's success.
    if (result.tenantId !== session.tenantId) return { page: sessionGonePage() };
    // The exchange succeeded: from here on nothing may turn it into a 5xx; the worst is a plainer page.
    await this.exchange.completeSession(session.id).catch((e: Error) => {
      this.logger.error({ tenantId: session.tenantId, err: e.message }, 'could not mark the session completed');
    });
    let tenant;
    try {
      tenant = await this.tenants.findWithAccount(session.tenantId);
    } catch {
      tenant = undefined;
    }
    if (!tenant) return { page: tenantGonePage() };
    const redirect = session.returnUrl ? returnRedirect(session.returnUrl, tenant.id, tenant.status) : undefined;
    if (redirect) return { redirect };
    const a = tenant.account;
    return {
      page: authorizedPage(
        { appId: a?.appId ?? result.appId ?? '', nickName: a?.nickName ?? null, principalName: a?.principalName ?? null },
        blacklistReadiness(tenant.status, a?.verified ?? false, a?.permissionSets ?? []),
      ),
    };
  }

  /** The "already completed" page with the tenant's account; undefined when the tenant no longer has one. */
  private async completedPage(tenantId: TenantId): Promise<Page | undefined> {
    const tenant = await this.tenants.findWithAccount(tenantId);
    const a = tenant?.account;
    if (!tenant || !a?.appId) return undefined;
    return authorizedPage(
      { appId: a.appId, nickName: a.nickName ?? null, principalName: a.principalName ?? null },
      blacklistReadiness(tenant.status, a.verified ?? false, a.permissionSets ?? []),
      { alreadyCompleted: true },
    );
  }

  private wechatFailurePage(e: unknown, during: string): Page {
    if (e instanceof ComponentTicketMissingError) return ticketMissingPage();
    if (e instanceof ComponentBudgetExhaustedError) {
      this.logger.warn({ during, api: e.api }, 'component daily call budget spent; onboarding waits for the reset');
      return budgetExhaustedPage(e.retryAfterSeconds);
    }
    if (e instanceof WeChatApiError && e.kind === 'quota-daily') {
      const api = String(e.api).replace(/^.*\//, '');
      this.logger.warn(
        { during, api, wechatErr: e.errcode },
        "WeChat's daily quota for the component is spent; onboarding waits for the reset",
      );
      return quotaExhaustedPage(api, nextChinaMidnight());
    }
    if (e instanceof WeChatError) {
      this.logger.error({ during, errorKind: e.code, err: e.message }, 'WeChat call failed during onboarding');
      return wechatUnavailablePage();
    }
    throw e;
  }
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** Where a completed session sends the browser; undefined (the plain success page) if the stored URL cannot be read. */
function returnRedirect(returnUrl: string, tenantId: string, status: string): string | undefined {
  try {
    const url = new URL(returnUrl);
    url.searchParams.set('tenantId', tenantId);
    url.searchParams.set('status', status);
    return url.toString();
  } catch {
    return undefined;
  }
}
