import { createHash } from 'node:crypto';
import type { WeChatXmlObject, WeChatXmlValue } from '@app/wechat';

/**
 * A decrypted message or event as tenants receive it in `message.received`: every XML field under
 * WeChat's own name, `CreateTime` as a number, everything else a string exactly as in the XML
 * (a 64-bit `MsgId` keeps all its digits), nested elements as objects.
 */
export type ReceivedMessage = { CreateTime?: number } & { [field: string]: WeChatXmlValue | number | undefined };

export function toReceivedMessage(fields: WeChatXmlObject): ReceivedMessage {
  const message: ReceivedMessage = { ...fields };
  const createTime = fields.CreateTime;
  if (typeof createTime === 'string' && /^\d{1,15}$/.test(createTime)) message.CreateTime = Number(createTime);
  return message;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * What identifies a delivery across WeChat's retries: a message by its `MsgId`; an event by
 * `FromUserName` + `CreateTime` + `Event` (+ `EventKey` when present). Hashed so a long
 * EventKey (a VIEW event's URL) fits the key column.
 */
export function messageKey(fields: WeChatXmlObject): string {
  const msgId = text(fields.MsgId);
  if (/^\d{1,40}$/.test(msgId)) return `msg:${msgId}`;
  const parts = [text(fields.FromUserName), text(fields.CreateTime), text(fields.Event) || text(fields.MsgType)];
  if (fields.EventKey !== undefined) parts.push(text(fields.EventKey));
  return `evt:${createHash('sha256').update(JSON.stringify(parts)).digest('hex')}`;
}
