import type { WeChatApiName, WeChatCallTarget } from '../types';
import { classifyErrcode, type WeChatErrorKind } from './error-kinds';
import { WeChatError } from './wechat-error';

/** WeChat answered with a non-zero errcode. */
export class WeChatApiError extends WeChatError {
  readonly code = 'WECHAT_API_ERROR' as const;
  readonly kind: WeChatErrorKind;

  constructor(
    readonly api: WeChatCallTarget,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`WeChat ${api} failed with errcode ${errcode}: ${errmsg}`);
    this.kind = classifyErrcode(errcode);
  }
}

export type WeChatTransportReason = 'network' | 'timeout' | 'http-5xx' | 'bad-response';

/**
 * WeChat could not be reached or did not answer sensibly. Built only from
 * fixed strings: axios errors carry the request URL (with access_token in it)
 * in their message and config, so neither is copied here, not even as `cause`.
 */
export class WeChatTransportError extends WeChatError {
  readonly code = 'WECHAT_UNAVAILABLE' as const;
  readonly httpStatus?: number;
  /** A system error code such as ECONNREFUSED, when there was one. */
  readonly networkCode?: string;

  constructor(
    readonly api: WeChatCallTarget,
    readonly reason: WeChatTransportReason,
    detail: { httpStatus?: number; networkCode?: string } = {},
  ) {
    const networkCode = detail.networkCode && /^[A-Z][A-Z0-9_]{0,39}$/.test(detail.networkCode) ? detail.networkCode : undefined;
    const extra = [detail.httpStatus !== undefined ? `HTTP ${detail.httpStatus}` : undefined, networkCode].filter(Boolean);
    super(`WeChat ${api} unavailable: ${reason}${extra.length ? ` (${extra.join(', ')})` : ''}`);
    this.httpStatus = detail.httpStatus;
    this.networkCode = networkCode;
  }
}

/** Refused on our side before anything was sent (e.g. more than 20 openids). */
export class WeChatRequestError extends WeChatError {
  readonly code = 'WECHAT_REQUEST_INVALID' as const;

  constructor(
    message: string,
    readonly api?: WeChatApiName,
  ) {
    super(message);
  }
}

/**
 * Whether a failed write may nevertheless have been applied by WeChat: this attempt or an earlier
 * one of the call went unanswered (timeout, dropped connection, 5xx). An errcode answer alone
 * (e.g. -1) means it was not applied.
 */
export function isOutcomeUnknown(err: unknown): boolean {
  if (err instanceof WeChatTransportError && err.reason !== 'bad-response') return true;
  return err instanceof WeChatError && err.earlierAttemptUnanswered;
}
