import { PERMISSION_SET_NAMES } from '@app/wechat';
import type { BlacklistReadiness } from '../tenants/capabilities';
import { ERROR_STATUS, type ErrorCode } from '../errors/error-status';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Everything interpolated into a page goes through this, text and attribute values alike
 * (every attribute is double-quoted, so these five characters are all that matter).
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

export interface Page {
  status: number;
  html: string;
  /** Error pages only: the stable code and message, for clients that ask for JSON. */
  error?: { code: string; message: string };
  retryAfterSeconds?: number;
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #1f2328; line-height: 1.5; }
  h1 { font-size: 1.5rem; }
  a.button { display: inline-block; margin: .5rem .5rem .5rem 0; padding: .75rem 1.25rem; border-radius: 6px; background: #07c160; color: #fff; text-decoration: none; font-weight: 600; }
  a.button.secondary { background: #576b95; }
  .muted { color: #59636e; font-size: .9rem; }
  .ok { color: #1a7f37; } .warn { color: #9a6700; } .err { color: #cf222e; }
  code { background: #f6f8fa; padding: .1rem .3rem; border-radius: 4px; }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function errorPage(code: ErrorCode, title: string, message: string): Page {
  const status = ERROR_STATUS[code];
  return {
    status,
    error: { code, message },
    html: layout(
      title,
      `<h1 class="err">${escapeHtml(title)}</h1>
<p id="message">${escapeHtml(message)}</p>
<p class="muted">Error code: <code id="error-code">${escapeHtml(code)}</code></p>`,
    ),
  };
}

/** The merchant's page: two links (WeChat checks the Referer, so this page must link, not redirect). */
export function onboardingPage(links: { pc: string; mobile: string }): Page {
  return {
    status: 200,
    html: layout(
      'Authorize your Official Account',
      `<h1>Authorize your WeChat Official Account</h1>
<p>Grant this service access to your Official Account through WeChat's authorization page. On a computer, scan the QR code WeChat shows with the administrator's WeChat; on a phone, open the mobile link inside WeChat.</p>
<p>To let us manage your blacklist, tick <strong>User management</strong> among the permissions.</p>
<p>
  <a id="authorize-pc" class="button" href="${escapeHtml(links.pc)}">Authorize on a computer</a>
  <a id="authorize-mobile" class="button secondary" href="${escapeHtml(links.mobile)}">Authorize in WeChat on a phone</a>
</p>
<p class="muted">Each link works once and for a few minutes; reload this page for fresh ones.</p>`,
    ),
  };
}

export const sessionNotFoundPage = () =>
  errorPage(
    'AUTHORIZATION_SESSION_NOT_FOUND',
    'Link not valid',
    'This authorization link is not valid. Ask your service provider for a new one.',
  );

export const sessionGonePage = () =>
  errorPage(
    'AUTHORIZATION_SESSION_GONE',
    'Link no longer valid',
    'This authorization link has expired or was already used. Ask your service provider for a new one.',
  );

export const ticketMissingPage = (): Page => ({
  ...errorPage(
    'COMPONENT_TICKET_MISSING',
    'Not ready yet',
    'The service is waiting for WeChat to confirm the platform. Please try again in a minute.',
  ),
  retryAfterSeconds: 60,
});

export const budgetExhaustedPage = (retryAfterSeconds: number): Page => ({
  ...errorPage(
    'COMPONENT_DAILY_BUDGET_EXHAUSTED',
    'Please try again tomorrow',
    'The service has reached its daily limit of authorization requests to WeChat. Please open this link again after midnight China time.',
  ),
  retryAfterSeconds,
});

export const wechatUnavailablePage = () =>
  errorPage(
    'WECHAT_UNAVAILABLE',
    'WeChat did not answer',
    'WeChat could not be reached just now. Please reload this page in a moment.',
  );

export const missingCodePage = () =>
  errorPage(
    'VALIDATION_FAILED',
    'Authorization incomplete',
    'WeChat did not send an authorization code. Please start again from your authorization link.',
  );

export const codeInvalidPage = () =>
  errorPage(
    'AUTHORIZATION_CODE_INVALID',
    'Please start again',
    'The authorization could not be completed because WeChat’s authorization code is invalid or has expired. Please open your authorization link again and start again.',
  );

export const alreadyBoundPage = (appId: string | null) =>
  errorPage(
    'AUTHORIZER_ALREADY_BOUND',
    'Account already connected',
    `This Official Account${appId ? ` (${appId})` : ''} is already connected to another merchant of this service. Nothing was changed.`,
  );

export const tenantGonePage = () =>
  errorPage(
    'TENANT_NOT_FOUND',
    'Link not valid',
    'This authorization link is not valid any more. Ask your service provider for a new one.',
  );

/** After a successful authorization: names the account and says plainly whether blacklist management works. */
export function authorizedPage(
  account: { appId: string; nickName: string | null; principalName: string | null },
  readiness: BlacklistReadiness,
): Page {
  const name = account.nickName || account.appId;
  let blacklist: string;
  if (readiness.available) {
    blacklist = `<p id="blacklist-status" class="ok" data-available="true">Blacklist management is available.</p>`;
  } else if (readiness.reason === 'not_verified') {
    blacklist = `<p id="blacklist-status" class="warn" data-available="false">Blacklist management is not available: this Official Account is not verified (WeChat only allows it for verified accounts).</p>`;
  } else if (readiness.reason === 'permission_set_missing') {
    const sets = readiness.missingPermissionSets.map((id) => `${id} (${PERMISSION_SET_NAMES[id] ?? 'unnamed'})`).join(' or ');
    blacklist = `<p id="blacklist-status" class="warn" data-available="false" data-missing-permission-sets="${escapeHtml(readiness.missingPermissionSets.join(','))}">Blacklist management is not available: the permission set ${escapeHtml(sets)} was not granted. Authorize again and tick it.</p>`;
  } else {
    blacklist = `<p id="blacklist-status" class="warn" data-available="false">Blacklist management is not available.</p>`;
  }
  return {
    status: 200,
    html: layout(
      'Authorization complete',
      `<h1 class="ok" id="authorized">Authorization complete</h1>
<p>Your Official Account <strong id="account-name">${escapeHtml(name)}</strong>${
        account.principalName ? ` (${escapeHtml(account.principalName)})` : ''
      } is now connected. AppID: <code id="account-appid">${escapeHtml(account.appId)}</code></p>
${blacklist}
<p class="muted">You can close this page.</p>`,
    ),
  };
}
