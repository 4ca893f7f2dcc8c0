import { randomBytes } from 'node:crypto';

/** WeChat's own wording, so clients that log errmsg see what production would show. */
export const WX_ERRMSG: Record<number, string> = {
  [-1]: 'system error',
  0: 'ok',
  40001: 'invalid credential, access_token is invalid or not latest',
  40003: 'invalid openid',
  40008: 'invalid message type',
  40013: 'invalid appid',
  40004: 'invalid media type',
  40016: 'invalid button size',
  40029: 'invalid code',
  40032: 'invalid openid list size, at most 20',
  40097: 'invalid args',
  40125: 'invalid appsecret',
  41001: 'access_token missing',
  41002: 'appid missing',
  41004: 'appsecret missing',
  42001: 'access_token expired',
  41005: 'media data missing',
  43001: 'require GET method',
  43002: 'require POST method',
  44002: 'empty post data',
  44004: 'empty content',
  45009: 'reach max api daily quota limit',
  46003: 'menu no exist',
  45011: 'api minute-quota reach limit  mustslower  retry next minute',
  47001: 'data format error',
  48001: 'api unauthorized',
  61003: 'component is not authorized by this account',
  61005: 'component ticket is expired',
  61006: 'component ticket is invalid',
  61007: 'api is unauthorized to component',
  61009: 'code is invalid',
  61010: 'code is expired',
  61023: 'refresh_token is invalid',
  40163: 'code been used',
  40030: 'invalid refresh_token',
  76021: 'cgi_path not found, please check',
};

/** Thrown by API handlers; the pipeline turns it into WeChat's HTTP 200 error body. */
export class WeChatApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly detail?: string,
  ) {
    super(`${errcode} ${WX_ERRMSG[errcode] ?? 'error'}${detail ? ` (${detail})` : ''}`);
  }
}

/**
 * WeChat appends a request id to every errmsg. We do too, so a client that compares
 * errmsg strings instead of errcode fails here as it would in production.
 */
export function wxErrorBody(errcode: number, errmsg?: string): { errcode: number; errmsg: string } {
  const base = errmsg ?? WX_ERRMSG[errcode] ?? 'error';
  if (errcode === 0) return { errcode, errmsg: base };
  const rid = [4, 4, 4].map((n) => randomBytes(n).toString('hex')).join('-');
  return { errcode, errmsg: `${base} rid: ${rid}` };
}

/** Control API input was wrong (400) or named something that does not exist (404) or clashes (409). */
export class ControlError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}
