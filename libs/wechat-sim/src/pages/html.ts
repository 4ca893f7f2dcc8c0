import { PERMISSION_SETS } from '../api-names';
import type { AuthorizerAccount } from '../authorizers';

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const layout = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#222}
fieldset{margin:1rem 0;border:1px solid #ccc;border-radius:6px}label{display:block;margin:.3rem 0}
.note{color:#777;font-size:.9em}button{background:#07c160;color:#fff;border:0;border-radius:4px;padding:.6rem 1.4rem;font-size:1rem}
.error{color:#b00}</style></head>
<body><p class="note">WeChat simulator: this page stands in for WeChat's authorization page.</p>
${body}</body></html>`;

export function errorPage(message: string): string {
  return layout(
    'Authorization failed',
    `<h1 class="error" id="sim-error">Authorization failed</h1><p id="sim-error-message">${escapeHtml(message)}</p>`,
  );
}

/** A new account made on the page gets followers, so a demo's blacklist calls have openids that exist. */
export const DEFAULT_PAGE_FOLLOWERS = 100;
export const MAX_PAGE_FOLLOWERS = 100_000;

export interface AuthorizationPageModel {
  action: string;
  componentAppId: string;
  hidden: Record<string, string>;
  accounts: AuthorizerAccount[];
  /** If the link named an account (biz_appid), only that one may authorize. */
  bizAppId?: string;
  defaultSets: number[];
  defaultPush: string;
}

/** The page a merchant sees: pick or create an Official Account, tick permission sets, authorize. */
export function authorizationPage(m: AuthorizationPageModel): string {
  const hidden = Object.entries(m.hidden)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('\n');
  const accounts = m.accounts
    .map(
      (a, i) =>
        `<label><input type="radio" name="account" value="${escapeHtml(a.appId)}"${i === 0 ? ' checked' : ''}> ` +
        `${escapeHtml(a.nickName)} <span class="note">(${escapeHtml(a.appId)}, ${a.verifyType === -1 ? 'unverified' : 'verified'}, ` +
        `${a.authorization.status === 'authorized' ? 'already authorized' : 'not authorized'})</span></label>`,
    )
    .join('\n');
  const newChecked = m.accounts.length === 0 ? ' checked' : '';
  const sets = PERMISSION_SETS.map(
    (s) =>
      `<label><input type="checkbox" name="perm" value="${s.id}"${m.defaultSets.includes(s.id) ? ' checked' : ''}> ${s.id}: ${escapeHtml(s.name)}</label>`,
  ).join('\n');
  const push = ['after', 'before', 'hold', 'none']
    .map((p) => `<option value="${p}"${p === m.defaultPush ? ' selected' : ''}>${p}</option>`)
    .join('');
  return layout(
    'Authorize third-party platform',
    `<h1>Authorize the platform ${escapeHtml(m.componentAppId)}</h1>
<form id="sim-authorize-form" method="post" action="${escapeHtml(m.action)}">
${hidden}
<fieldset><legend>Official Account</legend>
${accounts}
<label><input type="radio" name="account" value="__new__"${newChecked}> Create a new test Official Account:</label>
<label>Nick name <input name="nick_name" value="Test Official Account"></label>
${m.bizAppId ? `<label>AppID <input name="new_app_id" value="${escapeHtml(m.bizAppId)}" readonly></label>` : '<label>AppID <input name="new_app_id" placeholder="generated if empty"></label>'}
<label>Principal <input name="principal_name" value="Test Merchant Co., Ltd."></label>
<label>Followers <input name="follower_count" type="number" min="0" max="${MAX_PAGE_FOLLOWERS}" value="${DEFAULT_PAGE_FOLLOWERS}"> <span class="note">(generated openids, so the blacklist can be tried at once)</span></label>
<label><input type="checkbox" name="verified" value="1" checked> Verified (WeChat verification)</label>
<label>Type <select name="service_type"><option value="2" selected>Service account</option><option value="0">Subscription account</option><option value="1">Upgraded subscription account</option></select></label>
</fieldset>
<fieldset><legend>Permission sets to grant</legend>
${sets}
</fieldset>
<fieldset><legend>Simulator: authorization event push</legend>
<label>Send the event <select name="push">${push}</select> the redirect</label>
</fieldset>
<button id="sim-authorize" type="submit">Authorize</button>
</form>`,
  );
}

// The web-authorization page is what a follower sees inside WeChat on a phone: narrow, large buttons.
const mobileLayout = (title: string, body: string) => `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:1rem auto;padding:0 1rem;color:#222}
label{display:block;margin:.4rem 0}.note{color:#777;font-size:.85em}
button{display:block;width:100%;margin:.6rem 0;border:0;border-radius:4px;padding:.8rem;font-size:1rem}
#sim-oauth-allow{background:#07c160;color:#fff}#sim-oauth-refuse{background:#eee;color:#222}.error{color:#b00}</style></head>
<body><p class="note">WeChat simulator: this page stands in for WeChat's web-authorization page.</p>
${body}</body></html>`;

export function webOAuthErrorPage(errcode: number, message: string): string {
  return mobileLayout(
    '授权失败',
    `<h1 class="error" id="sim-oauth-error" data-errcode="${errcode}">${errcode}</h1><p id="sim-oauth-error-message">${escapeHtml(message)}</p>`,
  );
}

export interface WebOAuthPageModel {
  action: string;
  hidden: Record<string, string>;
  accountName: string;
  scope: string;
  followers: string[];
}

/** Pick the follower who is "using" WeChat, then allow or refuse. */
export function webOAuthPage(m: WebOAuthPageModel): string {
  const hidden = Object.entries(m.hidden)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('\n');
  const followers = m.followers
    .map(
      (o, i) =>
        `<label><input type="radio" name="openid" value="${escapeHtml(o)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(o)}</label>`,
    )
    .join('\n');
  const asks = m.scope === 'snsapi_userinfo' ? '获取你的昵称、头像' : '获取你的身份标识';
  return mobileLayout(
    '微信授权',
    `<h1 id="sim-oauth-account">${escapeHtml(m.accountName)}</h1>
<p>申请${asks} <span class="note">(${escapeHtml(m.scope)})</span></p>
<form id="sim-oauth-form" method="post" action="${escapeHtml(m.action)}">
${hidden}
<fieldset><legend>Follower using WeChat</legend>
${followers || '<p class="note">The account has no followers: type an openid below.</p>'}
<label>Other openid <input name="openid_other" placeholder="any openid of the account"></label>
</fieldset>
<button id="sim-oauth-allow" type="submit" name="decision" value="allow">允许</button>
<button id="sim-oauth-refuse" type="submit" name="decision" value="refuse">拒绝</button>
</form>`,
  );
}
