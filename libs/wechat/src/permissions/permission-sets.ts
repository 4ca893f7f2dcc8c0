import type { WeChatApiName } from '../types';

/** Official Account APIs we call on a merchant's behalf, i.e. those gated by permission sets. */
export type OfficialAccountApi = Extract<
  WeChatApiName,
  'getblacklist' | 'batchblacklist' | 'batchunblacklist' | 'message_custom_send' | 'sns_component_access_token' | 'getticket'
>;

/**
 * API → permission sets (`func_info[].funcscope_category.id`) of which ANY one
 * is enough. Kept as data because WeChat's lists change (set 100 is not even
 * in the published list) and call sites must not hard-code set ids.
 */
export const API_PERMISSION_SETS: Readonly<Record<OfficialAccountApi, readonly number[]>> = Object.freeze({
  getblacklist: Object.freeze([2, 100]),
  batchblacklist: Object.freeze([2, 100]),
  batchunblacklist: Object.freeze([2, 100]),
  message_custom_send: Object.freeze([1, 54]),
  // Web authorization on the account's behalf and JS-SDK tickets: the web service set (contract section 9).
  sns_component_access_token: Object.freeze([4]),
  getticket: Object.freeze([4]),
});

export const PERMISSION_SET_NAMES: Readonly<Record<number, string>> = Object.freeze({
  1: 'messages',
  2: 'user management',
  3: 'account service',
  4: 'web service',
  7: 'mass send and notifications',
  11: 'media',
  15: 'menus',
  24: 'open-platform account management',
  54: 'service-account conversations',
  89: 'subscription notifications',
  100: 'blacklist (unpublished set)',
});

/** The same sets as WeChat's authorization page names them to merchants (Simplified Chinese). */
export const PERMISSION_SET_NAMES_ZH: Readonly<Record<number, string>> = Object.freeze({
  1: '消息管理',
  2: '用户管理',
  3: '帐号服务',
  4: '网页服务',
  7: '群发与通知',
  11: '素材管理',
  15: '自定义菜单',
  24: '开放平台帐号管理',
  54: '服务号对话',
  89: '订阅通知',
  100: '黑名单管理（未公开权限集）',
});

export function requiredPermissionSets(api: OfficialAccountApi): readonly number[] {
  const sets = API_PERMISSION_SETS[api];
  if (!sets) throw new TypeError(`No permission sets known for API ${String(api)}`);
  return sets;
}

export function isApiAllowed(api: OfficialAccountApi, granted: readonly number[]): boolean {
  return requiredPermissionSets(api).some((set) => granted.includes(set));
}

/**
 * [] when the API is allowed; otherwise the sets of which granting any one
 * would allow it (what to tell the merchant to tick on the authorization page).
 */
export function missingPermissionSets(api: OfficialAccountApi, granted: readonly number[]): number[] {
  return isApiAllowed(api, granted) ? [] : [...requiredPermissionSets(api)];
}
