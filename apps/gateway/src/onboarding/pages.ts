import { escapeHtml, htmlDocument } from '../html';
import type { BlacklistReadiness } from '../tenants/capabilities';
import { ERROR_STATUS, type ErrorCode } from '../errors/error-status';
import type { Locale, MerchantErrorPage, MerchantMessages } from './messages/catalogue';
import { MESSAGES } from './messages/locale';

export { escapeHtml };

export interface Page {
  status: number;
  /** The page in the merchant's language (chosen per request by the controller). */
  render(locale: Locale): string;
  /** Error pages only: the stable code and (English, operator-facing) message, for clients that ask for JSON. */
  error?: { code: string; message: string; details?: unknown };
  retryAfterSeconds?: number;
}

/** Merchant pages: a narrow column with WeChat-green buttons, inline style allowed by their CSP (no scripts). */
const MERCHANT_CSS = `
  body { max-width: 40rem; margin-top: 3rem; }
  h1 { font-size: 1.5rem; }
  a.button { display: inline-block; margin: .5rem .5rem .5rem 0; padding: .75rem 1.25rem; border-radius: 6px; background: #07c160; color: #fff; text-decoration: none; font-weight: 600; }
  a.button.secondary { background: #576b95; }`;

const layout = (locale: Locale, title: string, body: string) => htmlDocument({ locale, title, body, css: MERCHANT_CSS });

function errorPage(code: ErrorCode, key: MerchantErrorPage, message?: (m: MerchantMessages) => string): Page {
  const text = (m: MerchantMessages) => ({ title: m.errors[key].title, message: message ? message(m) : m.errors[key].message });
  return {
    status: ERROR_STATUS[code],
    error: { code, message: text(MESSAGES.en).message },
    render: (locale) => {
      const m = MESSAGES[locale];
      const { title, message: said } = text(m);
      return layout(
        locale,
        title,
        `<h1 class="err">${escapeHtml(title)}</h1>
<p id="message">${escapeHtml(said)}</p>
<p class="muted">${escapeHtml(m.errorCodeLabel)} <code id="error-code">${escapeHtml(code)}</code></p>`,
      );
    },
  };
}

/** The merchant's page: two links (WeChat checks the Referer, so this page must link, not redirect). */
export function onboardingPage(links: { pc: string; mobile: string }): Page {
  return {
    status: 200,
    render: (locale) => {
      const t = MESSAGES[locale].onboarding;
      return layout(
        locale,
        t.title,
        `<h1>${escapeHtml(t.heading)}</h1>
<p>${escapeHtml(t.intro)}</p>
<p>${escapeHtml(t.permissionHintBefore)}<strong>${escapeHtml(t.permissionToTick)}</strong>${escapeHtml(t.permissionHintAfter)}</p>
<p>
  <a id="authorize-pc" class="button" href="${escapeHtml(links.pc)}">${escapeHtml(t.authorizePc)}</a>
  <a id="authorize-mobile" class="button secondary" href="${escapeHtml(links.mobile)}">${escapeHtml(t.authorizeMobile)}</a>
</p>
<p class="muted">${escapeHtml(t.linkLifetime)}</p>`,
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
): Page {
  const name = account.nickName || account.appId;
  return {
    status: 200,
    render: (locale) => {
      const m = MESSAGES[locale];
      const t = m.authorized;
      const principal = account.principalName ? ` ${escapeHtml(t.principal(account.principalName))}` : '';
      return layout(
        locale,
        t.title,
        `<h1 class="ok" id="authorized">${escapeHtml(t.heading)}</h1>
<p>${escapeHtml(t.accountBefore)} <strong id="account-name">${escapeHtml(name)}</strong>${principal} ${escapeHtml(
          t.accountAfter,
        )} ${escapeHtml(t.appIdLabel)} <code id="account-appid">${escapeHtml(account.appId)}</code></p>
${blacklistParagraph(m, readiness)}
<p class="muted">${escapeHtml(t.closePage)}</p>`,
      );
    },
  };
}
