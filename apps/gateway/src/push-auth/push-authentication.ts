import { Inject, Injectable } from '@nestjs/common';
import { WeChatMessageCrypto } from '@app/wechat';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import type { EncryptedPush } from './encrypted-push.pipe';
import type { PushQuery } from './push.query';
import { PushRejectedError } from './push-rejected.error';

/** WeChat's own window: a push whose timestamp is further than this from now is refused. */
export const PUSH_MAX_SKEW_SECONDS = 300;

export interface AuthenticPush<T> {
  /** The plain fields around `Encrypt` (AppId on component pushes, ToUserName on account messages). */
  outer: Record<string, string>;
  /** The decrypted message, as `read` made it. */
  message: T;
  signature: string;
  timestamp: string;
  nonce: string;
}

/**
 * Signed and decrypted with our keys, yet `read` could not make sense of the message. Not a
 * forgery: each endpoint decides (the component endpoint acknowledges it, since WeChat would
 * retry the same bytes forever; the message endpoint refuses it).
 */
export class UnreadablePushError extends PushRejectedError {
  constructor(readonly signature: string) {
    super('decrypted message is not valid XML');
  }
}

/**
 * The one authentication of WeChat's pushes, for both push URLs (component events and account
 * messages): query shape (PushQuery), signature in constant time, ±300 s timestamp window,
 * decryption with the current then the previous EncodingAESKey, appid tail = our component,
 * safe XML (no DOCTYPE or entities, size limit). Anything wrong is a PushRejectedError (401)
 * and the caller stores and does nothing.
 */
@Injectable()
export class PushAuthenticator {
  private readonly crypto: WeChatMessageCrypto;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    this.crypto = new WeChatMessageCrypto({
      token: config.wechat.componentToken,
      encodingAESKey: config.wechat.encodingAESKey,
      previousEncodingAESKey: config.wechat.previousEncodingAESKey,
      appId: config.wechat.componentAppId,
    });
  }

  /** `read` turns the decrypted XML into the caller's shape; if it throws, the push is rejected. */
  authenticate<T>(query: PushQuery, push: EncryptedPush, read: (xml: string) => T): AuthenticPush<T> {
    const { timestamp, nonce, msg_signature: signature } = query;
    const { outer, encrypt } = push;
    if (!this.crypto.verify(signature, timestamp, nonce, encrypt)) return reject('signature mismatch');
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > PUSH_MAX_SKEW_SECONDS)
      return reject('timestamp outside the 300 s window');
    if (outer.AppId !== undefined && outer.AppId !== this.config.wechat.componentAppId) return reject('AppId is not ours');

    let plain: string;
    try {
      plain = this.crypto.decrypt(encrypt).message;
    } catch (e) {
      return reject(`decryption failed (${(e as { code?: string }).code ?? 'invalid'})`);
    }
    let message: T;
    try {
      message = read(plain);
    } catch {
      throw new UnreadablePushError(signature.toLowerCase());
    }
    return { outer, message, signature: signature.toLowerCase(), timestamp, nonce };
  }

  /** A passive reply, encrypted with the component's credentials as WeChat expects it. */
  sealReply(replyXml: string): string {
    return this.crypto.encryptReply(replyXml);
  }
}

function reject(reason: string): never {
  throw new PushRejectedError(reason);
}
