import { createHash } from 'node:crypto';
import { WeChatRequestError } from '../errors/api-errors';
import type { WeChatHttp } from '../http/wechat-http';

/** `jsapi` for wx.config, `wx_card` for the card APIs. */
export type JsTicketType = 'jsapi' | 'wx_card';
export const JS_TICKET_TYPES: readonly JsTicketType[] = Object.freeze(['jsapi', 'wx_card']);

export interface GetTicketResponse {
  errcode?: number;
  errmsg?: string;
  ticket: string;
  /** Seconds; take WeChat's value rather than assuming 7200. */
  expires_in: number;
}

/**
 * `cgi-bin/ticket/getticket` with the **authorizer** token. Each call spends the account's own
 * small daily quota, so callers cache the ticket; resending after a lost answer costs a call
 * but changes nothing else.
 */
export class TicketApi {
  constructor(private readonly http: WeChatHttp) {}

  getTicket(accessToken: string, type: JsTicketType): Promise<GetTicketResponse> {
    if (typeof accessToken !== 'string' || accessToken === '') {
      return Promise.reject(new WeChatRequestError('getticket: access_token is required', 'getticket'));
    }
    if (!JS_TICKET_TYPES.includes(type)) {
      return Promise.reject(new WeChatRequestError('getticket: type must be jsapi or wx_card', 'getticket'));
    }
    return this.http.get('getticket', '/cgi-bin/ticket/getticket', { access_token: accessToken, type }, { idempotent: true });
  }
}

/**
 * The JS-SDK signature (JS-SDK appendix 1): the fields sorted by name and joined as
 * `jsapi_ticket=…&noncestr=…&timestamp=…&url=…` with raw, unescaped values, then SHA-1 (hex).
 * `noncestr` is lower-case here, `nonceStr` in wx.config. `url` is signed exactly as given.
 */
export function jssdkSignature(input: { ticket: string; nonceStr: string; timestamp: number | string; url: string }): string {
  const string1 = `jsapi_ticket=${input.ticket}&noncestr=${input.nonceStr}&timestamp=${input.timestamp}&url=${input.url}`;
  return createHash('sha1').update(string1, 'utf8').digest('hex');
}
