import { API_PERMISSION_SETS, type OfficialAccountApi } from './permission-sets';

/** An Official Account API path as WeChat names it, without a leading slash: `cgi-bin/user/info`. */
export type WeChatApiPath = `${string}/${string}`;

/** What calling an API path takes, and whether an unknown outcome may be retried. */
export interface ApiPathRule {
  /** `cgi-bin/menu/` (ends with `/`): every path under it; `cgi-bin/menu/get`: that path exactly. */
  readonly prefix: string;
  /** Permission sets (`func_info` ids) of which any one allows the call; empty: no set needed. */
  readonly permissionSets: readonly number[];
  /** WeChat allows it for verified accounts only. */
  readonly verifiedOnly: boolean;
  /**
   * A read (or a write WeChat applies idempotently): safe to send again after -1, an HTTP 5xx or a
   * timeout. Never true for a message or a menu: WeChat has no idempotency keys.
   */
  readonly idempotent: boolean;
  /** The typed API this path is, when the gateway also calls it itself (shares its quota block). */
  readonly api?: OfficialAccountApi;
}

const rule = (prefix: string, permissionSets: readonly number[], more: Partial<ApiPathRule> = {}): ApiPathRule =>
  Object.freeze({ prefix, permissionSets: Object.freeze([...permissionSets]), verifiedOnly: false, idempotent: false, ...more });

const read = { idempotent: true };
const blacklist = (api: OfficialAccountApi, idempotent: boolean) =>
  rule(`cgi-bin/tags/members/${api}`, API_PERMISSION_SETS[api], { api, verifiedOnly: true, idempotent });

/**
 * The one table from Official Account API path to what it needs (contract sections 2, 3 and 8).
 * The most specific matching entry wins; a path no entry matches is not allowed.
 */
export const API_PATH_RULES: readonly ApiPathRule[] = Object.freeze([
  rule('cgi-bin/message/custom/', [1, 54]),
  // The gateway sends customer-service messages itself (go-live test): same sets, one source.
  rule('cgi-bin/message/custom/send', API_PERMISSION_SETS.message_custom_send, { api: 'message_custom_send' }),
  rule('cgi-bin/message/mass/', [7]),
  rule('cgi-bin/message/mass/get', [7], read),
  rule('cgi-bin/message/template/', [7]),
  rule('cgi-bin/template/', [7]),
  rule('cgi-bin/template/get_all_private_template', [7], read),
  rule('cgi-bin/template/get_industry', [7], read),
  rule('cgi-bin/user/', [2]),
  rule('cgi-bin/user/get', [2], read),
  rule('cgi-bin/user/info', [2], read),
  rule('cgi-bin/user/info/batchget', [2], read),
  rule('cgi-bin/tags/', [2]),
  rule('cgi-bin/tags/get', [2], read),
  rule('cgi-bin/tags/getidlist', [2], read),
  rule('cgi-bin/user/tag/get', [2], read),
  // Blocking or unblocking the same openids twice leaves the same list: safe to resend.
  blacklist('getblacklist', true),
  blacklist('batchblacklist', true),
  blacklist('batchunblacklist', true),
  rule('cgi-bin/menu/', [15]),
  rule('cgi-bin/menu/get', [15], read),
  rule('cgi-bin/get_current_selfmenu_info', [15], read),
  rule('cgi-bin/media/', [11]),
  rule('cgi-bin/media/get', [11], read),
  rule('cgi-bin/material/', [11]),
  rule('cgi-bin/material/get_material', [11], read),
  rule('cgi-bin/material/get_materialcount', [11], read),
  rule('cgi-bin/material/batchget_material', [11], read),
  rule('cgi-bin/qrcode/', [3]),
  // The gateway keeps the account's JS-SDK tickets itself; a proxied getticket shares their quota block.
  rule('cgi-bin/ticket/getticket', API_PERMISSION_SETS.getticket, { api: 'getticket', idempotent: true }),
]);

/** Paths the operator allows without a gate (WECHAT_PROXY_EXTRA_PATHS): prefixes, never retried. */
function extraRule(prefix: string): ApiPathRule {
  return rule(prefix, []);
}

const PATH_SHAPE = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$/;

/** A well-formed API path: segments of letters, digits, `_ - .`, no `..`, no empty segment, at most 128 characters. */
export function isWeChatApiPath(path: string): path is WeChatApiPath {
  return (
    path.length <= 128 && path.includes('/') && PATH_SHAPE.test(path) && !path.split('/').some((s) => s === '.' || s === '..')
  );
}

function matches(prefix: string, path: string): boolean {
  return prefix.endsWith('/') ? path.startsWith(prefix) : path === prefix;
}

/**
 * The rule for `path`: the longest matching table entry, else an extra path (no gate), else
 * undefined (not allowed). `extraPaths` are prefixes as WECHAT_PROXY_EXTRA_PATHS lists them.
 */
export function apiPathRule(path: string, extraPaths: readonly string[] = []): ApiPathRule | undefined {
  if (!isWeChatApiPath(path)) return undefined;
  let best: ApiPathRule | undefined;
  for (const r of API_PATH_RULES) {
    if (matches(r.prefix, path) && (!best || r.prefix.length > best.prefix.length)) best = r;
  }
  if (best) return best;
  // An extra path is a plain string prefix, as the operator wrote it (`wxa/` or `cgi-bin/shorturl`).
  const extra = extraPaths.find((p) => p !== '' && path.startsWith(p));
  return extra === undefined ? undefined : extraRule(extra);
}

/** The rule of a typed API (its gate, its quota block). */
export function apiRule(api: OfficialAccountApi): ApiPathRule {
  const found = API_PATH_RULES.find((r) => r.api === api);
  if (!found) throw new TypeError(`No path rule for API ${String(api)}`);
  return found;
}
