/** Every code this library's errors carry. */
export type WeChatErrorCode =
  | 'WECHAT_API_ERROR'
  | 'WECHAT_UNAVAILABLE'
  | 'WECHAT_REQUEST_INVALID'
  | 'WECHAT_SIGNATURE_INVALID'
  | 'WECHAT_PADDING_INVALID'
  | 'WECHAT_APPID_MISMATCH'
  | 'WECHAT_MESSAGE_LENGTH_INVALID'
  | 'WECHAT_CIPHERTEXT_INVALID'
  | 'WECHAT_ENCODING_AES_KEY_INVALID'
  | 'WECHAT_XML_INVALID';

/**
 * Root of every error this library throws. The gateway's exception filter can
 * match on `instanceof WeChatError` and map the stable `code` to an HTTP status,
 * without knowing about errcodes (those are translated here and only here).
 */
export abstract class WeChatError extends Error {
  abstract readonly code: WeChatErrorCode;
  /**
   * An earlier attempt of the same call (the HTTP client's own retries) went unanswered
   * (timeout, dropped connection, 5xx): WeChat may have applied it, whatever this error says.
   */
  earlierAttemptUnanswered = false;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
