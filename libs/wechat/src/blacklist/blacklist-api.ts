import { WeChatRequestError } from '../errors/api-errors';
import type { WeChatHttp } from '../http/wechat-http';
import type { WeChatApiName } from '../types';
import type { BatchBlacklistRequest, GetBlacklistRequest, GetBlacklistResponse } from './types';

/** WeChat rejects longer lists with 40032; we refuse them before sending. */
export const MAX_OPENIDS_PER_BATCH = 20;

const BASE = '/cgi-bin/tags/members';

/**
 * The begin_openid of the page after `page`, fetched with `sent`; null when `page` was the last:
 * it is empty, or WeChat gave no next_openid, or handed back the cursor we sent (stop rather
 * than loop forever). The one paging rule for getblacklist.
 */
export function nextBlacklistCursor(page: GetBlacklistResponse, sent: string): string | null {
  const openids = page.data?.openid ?? [];
  if (page.count === 0 || openids.length === 0 || !page.next_openid || page.next_openid === sent) return null;
  return page.next_openid;
}

/**
 * Blacklist APIs, called with the authorizer's access token. A batch is
 * all-or-nothing on WeChat's side (40003 does not say which openid was bad).
 */
export class BlacklistApi {
  constructor(private readonly http: WeChatHttp) {}

  getblacklist(accessToken: string, beginOpenid = ''): Promise<GetBlacklistResponse> {
    const body: GetBlacklistRequest = { begin_openid: beginOpenid };
    return this.send<GetBlacklistResponse>('getblacklist', accessToken, body);
  }

  async batchblacklist(accessToken: string, openids: readonly string[]): Promise<void> {
    await this.send('batchblacklist', accessToken, batchBody('batchblacklist', openids));
  }

  async batchunblacklist(accessToken: string, openids: readonly string[]): Promise<void> {
    await this.send('batchunblacklist', accessToken, batchBody('batchunblacklist', openids));
  }

  private send<T>(api: WeChatApiName, accessToken: string, body: object): Promise<T> {
    if (typeof accessToken !== 'string' || accessToken === '') {
      return Promise.reject(new WeChatRequestError(`${api}: access_token is required`, api));
    }
    // Resent after an unknown outcome: a page read is a read, and blocking or unblocking the same
    // openids twice leaves the same blacklist.
    return this.http.post<T>(api, `${BASE}/${api}`, { access_token: accessToken }, body, { idempotent: true });
  }
}

function batchBody(api: WeChatApiName, openids: readonly string[]): BatchBlacklistRequest {
  if (!Array.isArray(openids) || openids.length === 0) {
    throw new WeChatRequestError(`${api}: openid list is empty`, api);
  }
  if (openids.length > MAX_OPENIDS_PER_BATCH) {
    throw new WeChatRequestError(`${api}: ${openids.length} openids, at most ${MAX_OPENIDS_PER_BATCH} per call`, api);
  }
  if (openids.some((openid) => typeof openid !== 'string' || openid.trim() === '')) {
    throw new WeChatRequestError(`${api}: openids must be non-empty strings`, api);
  }
  return { openid_list: [...openids] };
}
