import { escapeHtml, htmlDocument } from '../platform/html';
import type { BlacklistReadiness } from '../tenants/capabilities';
import { ERROR_STATUS, type ErrorCode } from '../platform/errors/error-status';
import type { Locale, MerchantErrorPage, MerchantMessages } from './messages/catalogue';
import { MESSAGES } from './messages/locale';

export { escapeHtml };

/** The provider the merchant is authorizing (BRAND_NAME, BRAND_LOGO_URL); pages stay generic without it. */
export interface Brand {
  name?: string;
  /** An https URL, or the gateway's own path serving a logo file. */
  logoUrl?: string;
}

/** What a page's rendering depends on besides its content. */
export interface PageView {
  brand?: Brand;
  /** The merchant's browser is a phone's (user agent): the mobile flow is the primary button. */
  mobile: boolean;
}

export interface Page {
  status: number;
  /** The page in the merchant's language (chosen per request by the controller). */
  render(locale: Locale, view?: PageView): string;
  /** Error pages only: the stable code and (English, operator-facing) message, for clients that ask for JSON. */
  error?: { code: string; message: string; details?: unknown };
  retryAfterSeconds?: number;
}

function brandHeader(brand: Brand | undefined): string {
  if (!brand?.name && !brand?.logoUrl) return '';
  const logo = brand.logoUrl
    ? `<img id="brand-logo" src="${escapeHtml(brand.logoUrl)}" alt="${escapeHtml(brand.name ?? '')}" height="40">`
    : '';
  const name = brand.name ? `<span id="brand-name">${escapeHtml(brand.name)}</span>` : '';
  return `<header class="brand">${logo}${name}</header>\n`;
}

/** Merchant pages: a narrow column with WeChat-green buttons, inline style allowed by their CSP (no scripts). */
const MERCHANT_CSS = `
  body { max-width: 40rem; margin-top: 3rem; }
  h1 { font-size: 1.5rem; }
  a.button { display: inline-block; margin: .5rem .5rem .5rem 0; padding: .75rem 1.25rem; border-radius: 6px; background: #07c160; color: #fff; text-decoration: none; font-weight: 600; }
  a.button.secondary { background: #576b95; }
  header.brand { display: flex; align-items: center; gap: .75rem; margin-bottom: 1.5rem; font-weight: 600; }`;

const layout = (locale: Locale, title: string, body: string, brand?: Brand) =>
  htmlDocument({ locale, title, body: `${brandHeader(brand)}${body}`, css: MERCHANT_CSS });

function errorPage(code: ErrorCode, key: MerchantErrorPage, message?: (m: MerchantMessages) => string): Page {
  const text = (m: MerchantMessages) => ({ title: m.errors[key].title, message: message ? message(m) : m.errors[key].message });
  return {
    status: ERROR_STATUS[code],
    error: { code, message: text(MESSAGES.en).message },
    render: (locale, view) => {
      const m = MESSAGES[locale];
      const { title, message: said } = text(m);
      return layout(
        locale,
        title,
        `<h1 class="err">${escapeHtml(title)}</h1>
<p id="message">${escapeHtml(said)}</p>
<p class="muted">${escapeHtml(m.errorCodeLabel)} <code id="error-code">${escapeHtml(code)}</code></p>`,
        view?.brand,
      );
    },
  };
}

/** The merchant's page: two links (WeChat checks the Referer, so this page must link, not redirect). */
export function onboardingPage(links: { pc: string; mobile: string }): Page {
  return {
    status: 200,
    render: (locale, view) => {
      const t = MESSAGES[locale].onboarding;
      const heading = view?.brand?.name ? t.brandedHeading(view.brand.name) : t.heading;
      const link = (id: string, href: string, label: string, primary: boolean) =>
        `<a id="${id}" class="button${primary ? '' : ' secondary'}" href="${escapeHtml(href)}" data-primary="${primary}">${escapeHtml(label)}</a>`;
      const pc = link('authorize-pc', links.pc, t.authorizePc, !view?.mobile);
      const mobile = link('authorize-mobile', links.mobile, t.authorizeMobile, Boolean(view?.mobile));
      return layout(
        locale,
        view?.brand?.name ? heading : t.title,
        `<h1 id="heading">${escapeHtml(heading)}</h1>
<p>${escapeHtml(t.intro)}</p>
<p>${escapeHtml(t.permissionHintBefore)}<strong>${escapeHtml(t.permissionToTick)}</strong>${escapeHtml(t.permissionHintAfter)}</p>
<p>
  ${view?.mobile ? `${mobile}\n  ${pc}` : `${pc}\n  ${mobile}`}
</p>
<p class="muted">${escapeHtml(t.linkLifetime)}</p>`,
        view?.brand,
      );
    },
  };
}

export const sessionNotFoundPage = () => errorPage('AUTHORIZATION_SESSION_NOT_FOUND', 'sessionNotFound');

export const sessionGonePage = () => errorPage('AUTHORIZATION_SESSION_GONE', 'sessionGone');

export const ticketMissingPage = (): Page => ({
  ...errorPage('COMPONENT_TICKET_MISSING', 'ticketMissing'),
  retryAfterSeconds: 60,
});

export const budgetExhaustedPage = (retryAfterSeconds: number): Page => ({
  ...errorPage('COMPONENT_DAILY_BUDGET_EXHAUSTED', 'budgetExhausted'),
  retryAfterSeconds,
});

/** `YYYY-MM-DD 00:00` in China Standard Time (UTC+8, no daylight saving) of a China midnight. */
const chinaTime = (at: Date) => `${new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10)} 00:00`;

/**
 * WeChat answered 45009 for a component API (`api`): the provider's daily quota is spent until
 * `resetsAt` (midnight China time). Not an outage: the page says what it is and when to come back.
 */
export function quotaExhaustedPage(api: string, resetsAt: Date): Page {
  const page = errorPage('COMPONENT_QUOTA_EXHAUSTED', 'quotaExhausted', (m) => m.quotaExhaustedMessage(chinaTime(resetsAt)));
  return {
    ...page,
    error: { ...page.error!, details: { api, resetsAt: resetsAt.toISOString() } },
    retryAfterSeconds: Math.max(1, Math.ceil((resetsAt.getTime() - Date.now()) / 1000)),
  };
}

export const wechatUnavailablePage = () => errorPage('WECHAT_UNAVAILABLE', 'wechatUnavailable');

export const missingCodePage = () => errorPage('VALIDATION_FAILED', 'missingCode');

export const codeInvalidPage = () => errorPage('AUTHORIZATION_CODE_INVALID', 'codeInvalid');

export const alreadyBoundPage = (appId: string | null) =>
  errorPage('AUTHORIZER_ALREADY_BOUND', 'alreadyBound', (m) => m.alreadyBoundMessage(appId));

export const tenantGonePage = () => errorPage('TENANT_NOT_FOUND', 'tenantGone');

/** The public pages' rate limit (the throttler sets Retry-After itself). */
export const rateLimitedPage = () => errorPage('RATE_LIMITED', 'rateLimited');

/** Anything unforeseen on a merchant page: still a page in the merchant's language, never a bare 500. */
export const unexpectedPage = () => errorPage('INTERNAL', 'unexpected');

function blacklistParagraph(m: MerchantMessages, readiness: BlacklistReadiness): string {
  const t = m.authorized;
  if (readiness.available) {
    return `<p id="blacklist-status" class="ok" data-available="true">${escapeHtml(t.blacklistAvailable)}</p>`;
  }
  if (readiness.reason === 'not_verified') {
    return `<p id="blacklist-status" class="warn" data-available="false">${escapeHtml(t.blacklistNotVerified)}</p>`;
  }
  if (readiness.reason === 'permission_set_missing') {
    const sets = m.alternatives(readiness.missingPermissionSets.map((id) => m.permissionSet(id)));
    return `<p id="blacklist-status" class="warn" data-available="false" data-missing-permission-sets="${escapeHtml(
      readiness.missingPermissionSets.join(','),
    )}">${escapeHtml(t.blacklistSetMissing(sets))}</p>`;
  }
  return `<p id="blacklist-status" class="warn" data-available="false">${escapeHtml(t.blacklistUnavailable)}</p>`;
}

/** After a successful authorization: names the account and says plainly whether blacklist management works. */
export function authorizedPage(
  account: { appId: string; nickName: string | null; principalName: string | null },
  readiness: BlacklistReadiness,
  opts: { alreadyCompleted?: boolean } = {},
): Page {
  const name = account.nickName || account.appId;
  return {
    status: 200,
    render: (locale, view) => {
      const m = MESSAGES[locale];
      const t = m.authorized;
      const principal = account.principalName ? ` ${escapeHtml(t.principal(account.principalName))}` : '';
      const [title, heading] = opts.alreadyCompleted ? [t.completedTitle, t.completedHeading] : [t.title, t.heading];
      return layout(
        locale,
        title,
        `<h1 class="ok" id="authorized"${opts.alreadyCompleted ? ' data-already-completed="true"' : ''}>${escapeHtml(heading)}</h1>
<p>${escapeHtml(t.accountBefore)} <strong id="account-name">${escapeHtml(name)}</strong>${principal} ${escapeHtml(
          t.accountAfter,
        )} ${escapeHtml(t.appIdLabel)} <code id="account-appid">${escapeHtml(account.appId)}</code></p>
${blacklistParagraph(m, readiness)}
<p class="muted">${escapeHtml(t.closePage)}</p>`,
        view?.brand,
      );
    },
  };
}
