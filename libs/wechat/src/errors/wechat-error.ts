/**
 * Root of every error this library throws. The gateway's exception filter can
 * match on `instanceof WeChatError` and map the stable `code` to an HTTP status,
 * without knowing about errcodes (those are translated here and only here).
 */
export abstract class WeChatError extends Error {
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
