/**
 * What a caller should do about an errcode (contract section 5). The gateway
 * reacts to kinds, never to raw errcodes, so this table is the single place
 * where WeChat's numbers acquire meaning.
 */
export type WeChatErrorKind =
  | 'retryable' // transient on WeChat's side: back off and retry
  | 'token-invalid' // drop the cached token, refresh once, retry once
  | 'quota-daily' // stop calling this API for this account until the quota resets
  | 'quota-minute' // wait for the next minute
  | 'invalid-openid' // the whole batch was rejected because of one openid
  | 'set-missing' // the merchant did not grant the permission set this API needs (re-read the sets)
  | 'api-unauthorized' // the account itself may not use this API (type or verification)
  | 'revoked' // the merchant revoked us or the refresh token is dead: re-authorization needed
  | 'ticket-rejected' // the component verify ticket is expired or invalid: wait for the next push
  | 'auth-code-rejected' // the authorization code is invalid or expired: onboarding starts again
  | 'oauth-code-rejected' // a web-authorization code is invalid or already used: the follower must authorize again
  | 'configuration' // our own setup is wrong (appid, IP whitelist, request shape)
  | 'other';

export const WECHAT_ERROR_KINDS: Readonly<Record<number, WeChatErrorKind>> = Object.freeze({
  [-1]: 'retryable', // system busy
  40001: 'token-invalid', // invalid credential
  40014: 'token-invalid', // token not the latest
  42001: 'token-invalid', // token expired
  45009: 'quota-daily',
  45011: 'quota-minute',
  40003: 'invalid-openid',
  49003: 'invalid-openid', // openid of another appid
  48001: 'api-unauthorized', // API not authorized for the account
  61007: 'set-missing', // API not authorized to the component (permission set missing)
  61003: 'revoked', // component no longer authorized by the account
  61023: 'revoked', // refresh_token invalid
  40013: 'configuration', // invalid appid
  41001: 'configuration', // access_token missing: a bug on our side
  40032: 'configuration', // openid list too long: we should never send more than 20
  61004: 'configuration', // caller IP not whitelisted
  61005: 'ticket-rejected', // component ticket expired
  61006: 'ticket-rejected', // component ticket invalid
  61009: 'auth-code-rejected', // authorization code invalid
  61010: 'auth-code-rejected', // authorization code expired
  40029: 'oauth-code-rejected', // web-authorization code invalid (or expired)
  40163: 'oauth-code-rejected', // web-authorization code already used
} satisfies Record<number, WeChatErrorKind>);

export function classifyErrcode(errcode: number): WeChatErrorKind {
  return Object.prototype.hasOwnProperty.call(WECHAT_ERROR_KINDS, errcode) ? WECHAT_ERROR_KINDS[errcode] : 'other';
}
