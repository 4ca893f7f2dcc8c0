import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ComponentIdentity } from './env';
import { wechat } from './project';

/** A follower's text message as WeChat pushes it to `/wechat/authorizers/<appid>/events`. */
export interface MessagePush {
  appId: string;
  msgId: string;
  /** Path and query (timestamp, nonce, openid, encrypt_type, msg_signature). */
  path: string;
  body: string;
}

export interface PushAnswer {
  msgId: string;
  /** performance.now() when the request was handed to the socket pool, and when its answer had fully arrived. */
  sentAt: number;
  answeredAt: number;
  status: number;
  body: string;
  error?: string;
}

/**
 * Builds pushes exactly as WeChat does (and as the simulator's MessageSender does): the plain XML
 * encrypted with the component's key (appid tail = the component), `ToUserName` in clear beside
 * `Encrypt`, `msg_signature` over token, timestamp, nonce and `Encrypt`, the sender's openid in the
 * query. The crypto comes from the gateway's build (lib/project.ts), as the other library pieces do.
 */
export class PushFactory {
  private readonly crypto;
  private readonly xml;

  constructor(component: ComponentIdentity) {
    const lib = wechat();
    this.crypto = new lib.WeChatMessageCrypto({
      token: component.componentToken,
      encodingAESKey: component.encodingAESKey,
      appId: component.componentAppId,
    });
    this.xml = lib.buildWeChatXml;
  }

  /** A text message (CreateTime and MsgId bare digits, as WeChat writes them); a retry is the same message sealed again. */
  text(appId: string, gh: string, from: string, content: string, msgId: string): MessagePush {
    const now = Math.floor(Date.now() / 1000);
    // Written out rather than built: a 64-bit MsgId is bare digits, beyond what a JS number holds.
    const message =
      `<xml><ToUserName><![CDATA[${gh}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName>` +
      `<CreateTime>${now}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
      `<Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId></xml>`;
    const encrypt = this.crypto.encrypt(message);
    const timestamp = String(now);
    const nonce = String(100_000_000 + Math.floor(Math.random() * 1_900_000_000));
    const query = new URLSearchParams({
      signature: 'unused',
      timestamp,
      nonce,
      openid: from,
      encrypt_type: 'aes',
      msg_signature: this.crypto.sign(timestamp, nonce, encrypt),
    });
    return {
      appId,
      msgId,
      path: `/wechat/authorizers/${appId}/events?${query}`,
      body: this.xml({ ToUserName: gh, Encrypt: encrypt }),
    };
  }
}

/**
 * Sends pushes to one gateway over keep-alive connections, as many at once as needed (WeChat
 * opens more connections rather than queueing behind a slow answer).
 */
export class PushSender {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
  }

  send(p: MessagePush): Promise<PushAnswer> {
    return new Promise((resolve) => {
      const sentAt = performance.now();
      const req = request(
        {
          host: this.host,
          port: this.port,
          path: p.path,
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'text/xml; charset=utf-8', 'content-length': Buffer.byteLength(p.body) },
          // WeChat gives up after 5 s (the scenario counts those answers); this only ends a hung exchange.
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              msgId: p.msgId,
              sentAt,
              answeredAt: performance.now(),
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      const fail = (error: string) =>
        resolve({ msgId: p.msgId, sentAt, answeredAt: performance.now(), status: 0, body: '', error });
      req.on('timeout', () => {
        req.destroy();
        fail('no answer within 30 s');
      });
      req.on('error', (e) => fail(String(e)));
      req.end(p.body);
    });
  }

  /**
   * Open loop: push i leaves at start + i / rate whatever the answers before it (a slow gateway
   * shows as latency, not as a lower rate). Resolves when every push is answered.
   */
  async paced(
    pushes: MessagePush[],
    rate: number,
  ): Promise<{ answers: PushAnswer[]; seconds: number; offeredPerSecond: number; lateMs: number }> {
    const answers: Promise<PushAnswer>[] = [];
    const start = performance.now();
    let lateMs = 0;
    await new Promise<void>((resolve) => {
      let next = 0;
      const tick = () => {
        const now = performance.now();
        while (next < pushes.length && start + (next * 1000) / rate <= now) {
          lateMs = Math.max(lateMs, now - (start + (next * 1000) / rate));
          answers.push(this.send(pushes[next++]));
        }
        if (next >= pushes.length) return resolve();
        setTimeout(tick, Math.max(0, start + (next * 1000) / rate - performance.now()));
      };
      tick();
    });
    const sentFor = (performance.now() - start) / 1000;
    const all = await Promise.all(answers);
    return {
      answers: all,
      seconds: (Math.max(...all.map((a) => a.answeredAt)) - start) / 1000,
      // The last push left one interval before the schedule's end.
      offeredPerSecond: pushes.length / (sentFor + 1 / rate),
      lateMs,
    };
  }

  /** Closed loop: `connections` pushes in flight, each followed by the next, for `seconds`. */
  async saturate(
    next: () => MessagePush,
    connections: number,
    seconds: number,
  ): Promise<{ answers: PushAnswer[]; seconds: number }> {
    const answers: PushAnswer[] = [];
    const start = performance.now();
    const until = start + seconds * 1000;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < until) answers.push(await this.send(next()));
      }),
    );
    return { answers, seconds: (performance.now() - start) / 1000 };
  }

  close(): void {
    this.agent.destroy();
  }
}
