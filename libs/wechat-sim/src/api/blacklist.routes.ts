import type { AuthorizerAccount } from '../authorizers';
import { WeChatApiError } from '../errors';
import type { ApiCall, ApiRoute } from './route';

const ACCESS_TOKEN = { param: 'access_token', kinds: ['authorizer'] } as const;
/** The blacklist APIs' permission sets per WeChat's docs: holding either is enough. */
const USER_MANAGEMENT_SETS = [2, 100];
const MAX_BATCH = 20;

/**
 * openid_list must be a non-empty array of openids that all belong to the account; otherwise
 * the whole batch fails with 40003 (WeChat does not say which one) and nothing is applied.
 */
function validatedOpenIds(call: ApiCall): string[] {
  const list = call.body.openid_list;
  if (!Array.isArray(list) || list.length === 0) throw new WeChatApiError(40003, 'openid_list missing or empty');
  if (list.length > MAX_BATCH) throw new WeChatApiError(40032);
  const account = call.authorizer!;
  for (const openid of list) {
    if (typeof openid !== 'string' || !call.sim.state.authorizers.knowsOpenId(account, openid)) {
      throw new WeChatApiError(40003, `openid not of ${account.appId}`);
    }
  }
  return list as string[];
}

function changeBlacklist(account: AuthorizerAccount, openids: string[], add: boolean): void {
  for (const openid of openids) {
    if (add) account.blacklist.add(openid);
    else account.blacklist.delete(openid);
  }
  account.sortedBlacklistCache = undefined;
}

/** First index whose value sorts after `key` (the page after a begin_openid cursor). */
function upperBound(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Official Account blacklist APIs, called with an authorizer access token. */
export function blacklistRoutes(): ApiRoute[] {
  const common = { auth: ACCESS_TOKEN, permissionSets: USER_MANAGEMENT_SETS, verifiedOnly: true };
  return [
    {
      ...common,
      name: 'tags/members/batchblacklist',
      handle(call) {
        changeBlacklist(call.authorizer!, validatedOpenIds(call), true);
        return { errcode: 0, errmsg: 'ok' };
      },
    },
    {
      ...common,
      name: 'tags/members/batchunblacklist',
      handle(call) {
        changeBlacklist(call.authorizer!, validatedOpenIds(call), false);
        return { errcode: 0, errmsg: 'ok' };
      },
    },
    {
      ...common,
      name: 'tags/members/getblacklist',
      handle(call) {
        const { sim } = call;
        const account = call.authorizer!;
        const begin = call.body.begin_openid ?? '';
        if (typeof begin !== 'string') throw new WeChatApiError(47001, 'begin_openid must be a string');
        if (begin !== '' && !sim.state.authorizers.knowsOpenId(account, begin)) throw new WeChatApiError(40003, 'begin_openid');
        // Sorted by openid so a cursor stays valid even if its own openid left the blacklist.
        const sorted = sim.state.authorizers.sortedBlacklist(account);
        const start = begin === '' ? 0 : upperBound(sorted, begin);
        const page = sorted.slice(start, start + sim.state.settings.blacklistPageSize);
        const more = start + page.length < sorted.length;
        const next = page.length > 0 && (more || sim.state.settings.blacklistTrailingEmptyPage) ? page[page.length - 1] : '';
        // WeChat leaves `data` out of an empty page; clients must cope.
        return {
          total: sorted.length,
          count: page.length,
          ...(page.length > 0 ? { data: { openid: page } } : {}),
          next_openid: next,
        };
      },
    },
  ];
}
