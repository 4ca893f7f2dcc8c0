import type { SimClock } from './clock';
import { fromWeChatXml, signedPushUrl, toWeChatXml, wxDecrypt, wxEncrypt, wxSignature } from './push-crypto';

export interface MessageReply {
  httpStatus: number;
  /** The body exactly as answered (`success`, empty, or the encrypted reply XML). */
  body: string;
  /** An encrypted passive reply, verified (MsgSignature) and decrypted with the component key. */
  decrypted?: Record<string, string>;
  /** Why an encrypted-looking reply could not be verified or decrypted. */
  problem?: string;
}

export interface MessageExchange {
  appId: string;
  url: string;
  /** The decrypted message WeChat pushed (the same in every attempt). */
  push: Record<string, string | number>;
  /** 1, plus one for each retry after an attempt got no answer in time. */
  attempts: number;
  /** The answer to the last attempt; null when no attempt got one. */
  reply: MessageReply | null;
  error?: string;
}

export interface MessageSenderConfig {
  componentAppId: string;
  componentToken: string;
  encodingAESKey: string;
  timeoutMs: number;
  retries: number;
  getMessageUrl(): string | undefined;
  clock: SimClock;
  log(line: object): void;
}

/**
 * Pushes follower messages and account events to the message URL as WeChat does: encrypted with
 * the component's key, `ToUserName` in clear beside `Encrypt`, the follower's openid in the query;
 * an attempt without an answer within the timeout is tried again (three retries by default).
 */
export class MessageSender {
  constructor(private readonly cfg: MessageSenderConfig) {}

  /** `fields` is the plain message (ToUserName first). Never rejects; a missing URL is an error result. */
  async send(appId: string, fields: Record<string, string | number>, opts: { retries?: number } = {}): Promise<MessageExchange> {
    const template = this.cfg.getMessageUrl();
    const exchange: MessageExchange = { appId, url: '', push: fields, attempts: 0, reply: null };
    if (!template) {
      exchange.error = 'no message URL set';
      return exchange;
    }
    exchange.url = template.split('$APPID$').join(appId);
    const retries = opts.retries ?? this.cfg.retries;
    while (exchange.attempts <= retries) {
      exchange.attempts += 1;
      try {
        exchange.reply = await this.attempt(exchange.url, fields);
        exchange.error = undefined;
        break;
      } catch (err) {
        exchange.error = (err as Error).name === 'TimeoutError' ? `no answer within ${this.cfg.timeoutMs} ms` : String(err);
      }
    }
    this.cfg.log({ msg: 'message push', appId, attempts: exchange.attempts, httpStatus: exchange.reply?.httpStatus });
    return exchange;
  }

  private async attempt(messageUrl: string, fields: Record<string, string | number>): Promise<MessageReply> {
    const { componentAppId, componentToken, encodingAESKey } = this.cfg;
    const encrypt = wxEncrypt(encodingAESKey, componentAppId, toWeChatXml(fields));
    const url = signedPushUrl(messageUrl, componentToken, encrypt, String(this.cfg.clock.nowSec()), {
      openid: String(fields.FromUserName),
    });
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', 'user-agent': 'Mozilla/4.0 (wechat-sim)' },
      body: toWeChatXml({ ToUserName: String(fields.ToUserName), Encrypt: encrypt }),
      signal: AbortSignal.timeout(this.cfg.timeoutMs),
    });
    const body = await res.text();
    return { httpStatus: res.status, body, ...this.open(body) };
  }

  /** Verifies and decrypts a passive reply as WeChat would; plain answers are left as they are. */
  private open(body: string): Pick<MessageReply, 'decrypted' | 'problem'> {
    const outer = fromWeChatXml(body);
    if (!outer?.Encrypt) return {};
    const { Encrypt, MsgSignature, TimeStamp, Nonce } = outer;
    if (!MsgSignature || wxSignature(this.cfg.componentToken, TimeStamp ?? '', Nonce ?? '', Encrypt) !== MsgSignature) {
      return { problem: 'MsgSignature does not verify' };
    }
    try {
      const { message, appId } = wxDecrypt(this.cfg.encodingAESKey, Encrypt);
      if (appId !== this.cfg.componentAppId) return { problem: `reply encrypted for appid ${appId}` };
      return fromWeChatXml(message) ? { decrypted: fromWeChatXml(message)! } : { problem: 'decrypted reply is not XML' };
    } catch (err) {
      return { problem: `reply does not decrypt: ${(err as Error).message}` };
    }
  }
}
