// Helpers for the message-URL suites (not a test file itself): pushes built and replies opened with
// @app/wechat, independently of the simulator's own crypto.
import { WeChatMessageCrypto, buildWeChatXml, parseWeChatXml } from '@app/wechat';
import request from 'supertest';
import type { Harness } from './gateway-harness';

export interface CraftOptions {
  timestamp?: number;
  nonce?: string;
  encodingAESKey?: string;
  /** The appid in the ciphertext's tail (ours unless a test forges another). */
  tailAppId?: string;
  token?: string;
}

export interface MessagePush {
  path: string;
  body: string;
}

/** A push to /wechat/authorizers/:appId/events exactly as WeChat builds it; `message` is the plain XML. */
export function craftMessagePush(h: Harness, appId: string, message: string, opts: CraftOptions = {}): MessagePush {
  const crypto = new WeChatMessageCrypto({
    token: opts.token ?? h.config.wechat.componentToken,
    encodingAESKey: opts.encodingAESKey ?? h.config.wechat.encodingAESKey,
    appId: opts.tailAppId ?? h.config.wechat.componentAppId,
  });
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = opts.nonce ?? String(Math.floor(Math.random() * 1e9));
  const encrypt = crypto.encrypt(message);
  const toUser = /<ToUserName><!\[CDATA\[([^\]]*)\]\]><\/ToUserName>/.exec(message)?.[1] ?? 'gh_unknown';
  const query = new URLSearchParams({
    signature: 'ignored',
    timestamp,
    nonce,
    openid: 'oSender',
    encrypt_type: 'aes',
    msg_signature: crypto.sign(timestamp, nonce, encrypt),
  });
  return { path: `/wechat/authorizers/${appId}/events?${query}`, body: buildWeChatXml({ ToUserName: toUser, Encrypt: encrypt }) };
}

export function sendMessagePush(h: Harness | string, push: MessagePush) {
  return request(typeof h === 'string' ? h : h.url)
    .post(push.path)
    .set('Content-Type', 'text/xml')
    .send(push.body);
}

/** Verifies (MsgSignature) and decrypts a passive reply with the component's key; its fields. */
export function openReply(h: Harness, body: string): Record<string, string> {
  const crypto = new WeChatMessageCrypto({
    token: h.config.wechat.componentToken,
    encodingAESKey: h.config.wechat.encodingAESKey,
    appId: h.config.wechat.componentAppId,
  });
  const outer = parseWeChatXml(body);
  expect(Object.keys(outer)).toEqual(['Encrypt', 'MsgSignature', 'TimeStamp', 'Nonce']);
  const { message } = crypto.decryptVerified(outer.MsgSignature, outer.TimeStamp, outer.Nonce, outer.Encrypt);
  return parseWeChatXml(message);
}

/** A text message as a follower sends it (CreateTime and MsgId bare digits, as WeChat writes them). */
export function textMessage(
  gh: string,
  from: string,
  content: string,
  msgId: string,
  createTime = Math.floor(Date.now() / 1000),
) {
  return (
    `<xml><ToUserName><![CDATA[${gh}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName>` +
    `<CreateTime>${createTime}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
    `<Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`
  );
}
