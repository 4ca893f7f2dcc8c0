import type { Locale } from '../onboarding/messages/catalogue';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// What a follower reads when the page cannot go on: short, no internals, in their language.
const MESSAGES: Record<Locale, Record<string, string> & { fallback: string; title: string }> = {
  'zh-CN': {
    title: '无法完成授权',
    fallback: '暂时无法完成授权，请稍后再试。',
    TENANT_NOT_FOUND: '找不到该商户。',
    TENANT_NOT_ACTIVE: '该公众号当前无法使用网页授权。',
    PERMISSION_SET_MISSING: '该公众号未向平台授予网页服务权限。',
    VALIDATION_FAILED: '链接参数不正确。',
    RETURN_URL_NOT_ALLOWED: '返回地址不在允许的范围内。',
    WEB_OAUTH_STATE_INVALID: '授权链接已失效，请返回页面重新进入。',
    WEB_OAUTH_APPID_MISMATCH: '授权来自其他公众号，已拒绝。',
    WEB_OAUTH_CODE_INVALID: '授权码无效或已使用，请返回页面重新进入。',
    RATE_LIMITED: '请求过于频繁，请稍后再试。',
  },
  en: {
    title: 'Authorization could not be completed',
    fallback: 'The authorization could not be completed right now; please try again later.',
    TENANT_NOT_FOUND: 'No such merchant.',
    TENANT_NOT_ACTIVE: 'This Official Account cannot use web authorization right now.',
    PERMISSION_SET_MISSING: 'The Official Account has not granted the platform its web service permissions.',
    VALIDATION_FAILED: 'The link is not valid.',
    RETURN_URL_NOT_ALLOWED: 'The return address is not allowed.',
    WEB_OAUTH_STATE_INVALID: 'This authorization link has expired; go back to the page and try again.',
    WEB_OAUTH_APPID_MISMATCH: 'The authorization came from another Official Account and was refused.',
    WEB_OAUTH_CODE_INVALID: 'The authorization code is invalid or already used; go back to the page and try again.',
    RATE_LIMITED: 'Too many requests; please try again later.',
  },
};

/** A refusal page for a follower's phone; `#web-oauth-error` carries the code for tests and support. */
export function webOAuthErrorPage(locale: Locale, status: number, code: string, requestId: string): string {
  const m = MESSAGES[locale];
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(m.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:2rem auto;padding:0 1rem;color:#222}.note{color:#777;font-size:.85em}</style></head>
<body><h1 id="web-oauth-error" data-status="${status}" data-code="${escape(code)}">${escape(m.title)}</h1>
<p id="web-oauth-message">${escape(m[code] ?? m.fallback)}</p>
<p class="note">${escape(code)} · ${escape(requestId)}</p></body></html>`;
}

export interface DemoPageModel {
  links: { base: string; userinfo: string };
  result?: { appId: string; openid: string; scope: string; user?: { nickname: string; city: string; province: string } };
  refused?: boolean;
}

/** The sandbox's stand-in for a merchant's H5 page (English: it is for the provider's developers). */
export function webOAuthDemoPage(m: DemoPageModel): string {
  const r = m.result;
  const outcome = r
    ? `<p id="web-oauth-demo-result">Redeemed: <code id="openid">${escape(r.openid)}</code> of <code id="app-id">${escape(r.appId)}</code>, scope <code id="scope">${escape(r.scope)}</code></p>` +
      (r.user
        ? `<p>Profile: <span id="nickname">${escape(r.user.nickname)}</span>, ${escape(r.user.city)}, ${escape(r.user.province)}</p>`
        : '')
    : m.refused
      ? '<p id="web-oauth-demo-refused">The follower refused (error=access_denied).</p>'
      : '<p>Open one of the links to authorize as a follower of the demo account.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Merchant H5 page (sandbox demo)</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#222}code{word-break:break-all}</style></head>
<body><h1>Merchant H5 page (sandbox demo)</h1>
${outcome}
<p><a id="authorize-base" href="${escape(m.links.base)}">snsapi_base (openid only)</a><br>
<a id="authorize-userinfo" href="${escape(m.links.userinfo)}">snsapi_userinfo (with profile)</a></p></body></html>`;
}
