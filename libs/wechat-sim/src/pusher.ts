import { maskDeep } from './call-log';
import type { SimClock } from './clock';
import { signedPushUrl, toWeChatXml, wxEncrypt } from './push-crypto';

export type PushInfoType = 'component_verify_ticket' | 'authorized' | 'updateauthorized' | 'unauthorized';

export interface PushEvent {
  infoType: PushInfoType;
  /** Fields after AppId/CreateTime/InfoType, in WeChat's order. */
  fields: Record<string, string | number>;
  authorizerAppId?: string;
}

export interface PushRecord {
  seq: number;
  at: number;
  infoType: PushInfoType;
  authorizerAppId?: string;
  /** Decrypted fields with codes and tickets masked. */
  fields: Record<string, unknown>;
  state: 'delivered' | 'failed' | 'held' | 'suppressed' | 'skipped';
  url?: string;
  httpStatus?: number;
  /** First 200 characters of the receiver's reply; WeChat expects exactly `success`. */
  reply?: string;
  /** true when the receiver answered 2xx with the body `success`. */
  acknowledged: boolean;
  error?: string;
}

export interface PusherConfig {
  componentAppId: string;
  componentToken: string;
  encodingAESKey: string;
  timeoutMs: number;
  getEventUrl(): string | undefined;
  clock: SimClock;
  log(line: object): void;
}

/** Encrypts and POSTs events to the component's event URL, and remembers what happened to each. */
export class EventPusher {
  private records: PushRecord[] = [];
  private held: Array<{ event: PushEvent; createTime: number; record: PushRecord }> = [];
  private seq = 0;

  constructor(private readonly cfg: PusherConfig) {}

  /** Sends now and resolves once the receiver answered (or failed); never rejects. */
  async deliver(event: PushEvent, createTime = this.cfg.clock.nowSec()): Promise<PushRecord> {
    const record = this.newRecord(event, createTime);
    await this.send(event, createTime, record);
    return record;
  }

  /** Keeps the event for a later releaseHeld(), so tests can deliver it after the redirect completed. */
  hold(event: PushEvent): PushRecord {
    const createTime = this.cfg.clock.nowSec();
    const record = this.newRecord(event, createTime);
    record.state = 'held';
    this.held.push({ event, createTime, record });
    return record;
  }

  /** Recorded as never sent: models WeChat losing the event. */
  suppress(event: PushEvent): PushRecord {
    const record = this.newRecord(event, this.cfg.clock.nowSec());
    record.state = 'suppressed';
    return record;
  }

  async releaseHeld(): Promise<PushRecord[]> {
    const batch = this.held;
    this.held = [];
    for (const h of batch) await this.send(h.event, h.createTime, h.record);
    return batch.map((h) => h.record);
  }

  list(): PushRecord[] {
    return this.records.map((r) => ({ ...r }));
  }

  clear(): void {
    this.records = [];
    this.held = [];
  }

  private newRecord(event: PushEvent, createTime: number): PushRecord {
    const record: PushRecord = {
      seq: ++this.seq,
      at: this.cfg.clock.now(),
      infoType: event.infoType,
      authorizerAppId: event.authorizerAppId,
      fields: maskDeep(this.plainFields(event, createTime)) as Record<string, unknown>,
      state: 'skipped',
      acknowledged: false,
    };
    this.records.push(record);
    if (this.records.length > 10_000) this.records.shift();
    return record;
  }

  private plainFields(event: PushEvent, createTime: number): Record<string, string | number> {
    return { AppId: this.cfg.componentAppId, CreateTime: createTime, InfoType: event.infoType, ...event.fields };
  }

  private async send(event: PushEvent, createTime: number, record: PushRecord): Promise<void> {
    const eventUrl = this.cfg.getEventUrl();
    if (!eventUrl) {
      record.state = 'skipped';
      record.error = 'no event URL set';
      this.cfg.log({ msg: 'push skipped: no event URL', infoType: event.infoType });
      return;
    }
    const { componentAppId, componentToken, encodingAESKey } = this.cfg;
    const encrypt = wxEncrypt(encodingAESKey, componentAppId, toWeChatXml(this.plainFields(event, createTime)));
    const url = signedPushUrl(eventUrl, componentToken, encrypt, String(this.cfg.clock.nowSec()));
    record.url = eventUrl;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', 'user-agent': 'Mozilla/4.0 (wechat-sim)' },
        body: toWeChatXml({ AppId: componentAppId, Encrypt: encrypt }),
        signal: AbortSignal.timeout(this.cfg.timeoutMs),
      });
      const reply = await res.text();
      record.state = 'delivered';
      record.httpStatus = res.status;
      record.reply = reply.slice(0, 200);
      // Exactly `success`: anything else makes WeChat treat the push as failed.
      record.acknowledged = res.ok && reply === 'success';
    } catch (err) {
      record.state = 'failed';
      record.error = (err as Error).cause ? String((err as Error).cause) : String(err);
    }
    this.cfg.log({ msg: 'push', infoType: event.infoType, state: record.state, httpStatus: record.httpStatus });
  }
}
