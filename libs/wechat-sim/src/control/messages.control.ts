import type { AuthorizerAccount } from '../authorizers';
import type { SimCore } from '../core';
import { ControlError } from '../errors';
import type { MessageExchange } from '../follower-messages';
import { newMsgId } from '../ids';
import { APP_ID, type FieldReaders, Later, readRequest } from './input';

// SendMessageRequest is parsed by SEND_MESSAGE below, so the compiler keeps the two in step.
export interface SendMessageRequest {
  /** The follower's openid; the account's first follower (one is made if it has none) when omitted. */
  fromUser?: string;
  msgType: 'text' | 'image' | 'event';
  /** text: the Content. */
  content?: string;
  /** event: subscribe, unsubscribe, SCAN, LOCATION, CLICK, VIEW, TEMPLATESENDJOBFINISH… */
  event?: string;
  eventKey?: string;
  /** image: PicUrl and MediaId (generated when omitted). */
  picUrl?: string;
  mediaId?: string;
}

const MSG_TYPES: readonly SendMessageRequest['msgType'][] = ['text', 'image', 'event'];
const OPENID = /^[A-Za-z0-9_-]{1,64}$/;

const SEND_MESSAGE: FieldReaders<SendMessageRequest> = {
  fromUser: (i, k) => i.string(k, { pattern: OPENID }),
  msgType: (i, k) => {
    const msgType = i.oneOf(k, MSG_TYPES);
    return new Later(() => i.required(k, msgType));
  },
  content: (i, k, read) => {
    const content = i.string(k, { max: 2048 });
    return new Later(() => {
      if (read.msgType === 'text' && content === undefined) throw new ControlError(400, 'content is required for text');
      return content;
    });
  },
  event: (i, k, read) => {
    const event = i.string(k, { max: 64 });
    return new Later(() => {
      if (read.msgType === 'event' && event === undefined) throw new ControlError(400, 'event is required for event');
      return event;
    });
  },
  eventKey: (i, k) => i.string(k, { max: 1024 }),
  picUrl: (i, k) => i.string(k, { max: 1024 }),
  mediaId: (i, k) => i.string(k, { max: 128 }),
};

/** Follower messages and account events, pushed to the message URL as WeChat would. */
export class MessagesControl {
  constructor(private readonly sim: SimCore) {}

  async sendMessage(appId: string, body: unknown): Promise<MessageExchange> {
    const req = readRequest(body, SEND_MESSAGE);
    const account = this.account(appId);
    if (!this.sim.state.settings.messageUrl)
      throw new ControlError(409, 'no message URL set (SIM_MESSAGE_URL or PUT /__sim/message-url)');
    return this.sim.messages.send(account.appId, this.message(account, req));
  }

  /** The plain message: ToUserName (the account's gh_ id), FromUserName, CreateTime, MsgType, then the type's fields. */
  message(account: AuthorizerAccount, req: SendMessageRequest): Record<string, string | number> {
    const base = {
      ToUserName: account.userName,
      FromUserName: this.follower(account, req.fromUser),
      CreateTime: this.sim.clock.nowSec(),
      MsgType: req.msgType,
    };
    switch (req.msgType) {
      case 'text':
        return { ...base, Content: req.content!, MsgId: newMsgId() };
      case 'image':
        return {
          ...base,
          PicUrl: req.picUrl ?? `http://mmbiz.qpic.cn/sim-${account.appId}/${newMsgId()}`,
          MediaId: req.mediaId ?? `media_${newMsgId()}`,
          MsgId: newMsgId(),
        };
      case 'event':
        return { ...base, Event: req.event!, ...(req.eventKey !== undefined ? { EventKey: req.eventKey } : {}) };
    }
  }

  account(appId: string): AuthorizerAccount {
    if (!APP_ID.test(appId)) throw new ControlError(400, 'appId is malformed');
    const account = this.sim.state.authorizers.get(appId);
    if (!account) throw new ControlError(404, `no authorizer ${appId}`);
    return account;
  }

  /** Whoever writes to an account follows it. */
  private follower(account: AuthorizerAccount, fromUser: string | undefined): string {
    if (fromUser) {
      account.followers.add(fromUser);
      return fromUser;
    }
    if (account.followers.size === 0) this.sim.state.authorizers.addGeneratedFollowers(account, 1);
    return account.followers.values().next().value!;
  }
}
