import { WeChatMessageCrypto, parseWeChatXml } from '@app/wechat';
import axios, { type AxiosInstance } from 'axios';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startWeChatSimulator, type SimulatorOptions, type WeChatSimulator } from '../src';

export const COMPONENT = {
  componentAppId: 'wx_test_component',
  componentAppSecret: 'test_component_secret',
  componentToken: 'test_component_token',
  encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

/** A settable clock: expiry tests move it instead of sleeping. */
export class FakeClock {
  ms = Date.parse('2026-03-01T04:00:00Z');
  now = () => this.ms;
  advanceSec(sec: number): void {
    this.ms += sec * 1000;
  }
}

export interface ReceivedPush {
  query: Record<string, string>;
  rawBody: string;
  /** Decrypted with @app/wechat after verifying msg_signature; the test fails otherwise. */
  fields: Record<string, string>;
  receivedAt: number;
}

/**
 * Plays the gateway's event endpoint: verifies and decrypts each push with the production
 * crypto (an independent implementation from the simulator's) and answers `success`.
 */
export class EventReceiver {
  readonly pushes: ReceivedPush[] = [];
  readonly problems: string[] = [];
  reply = 'success';
  private server!: Server;
  private waiters: Array<() => void> = [];
  url = '';
  private readonly crypto = new WeChatMessageCrypto({
    token: COMPONENT.componentToken,
    encodingAESKey: COMPONENT.encodingAESKey,
    appId: COMPONENT.componentAppId,
  });

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const query = Object.fromEntries(new URL(req.url!, 'http://x').searchParams) as Record<string, string>;
        try {
          if (req.method !== 'POST') throw new Error(`method ${req.method}`);
          if (query.encrypt_type !== 'aes') throw new Error('encrypt_type is not aes');
          const outer = parseWeChatXml(raw);
          if (outer.AppId !== COMPONENT.componentAppId) throw new Error(`outer AppId ${outer.AppId}`);
          if (!this.crypto.verify(query.msg_signature, query.timestamp, query.nonce, outer.Encrypt)) {
            throw new Error('msg_signature does not verify');
          }
          const { message, appId } = this.crypto.decrypt(outer.Encrypt);
          if (appId !== COMPONENT.componentAppId) throw new Error(`inner appid ${appId}`);
          this.pushes.push({ query, rawBody: raw, fields: parseWeChatXml(message), receivedAt: Date.now() });
        } catch (err) {
          this.problems.push(String((err as Error).message));
        }
        res.writeHead(200, { 'content-type': 'text/plain' }).end(this.reply);
        this.waiters.splice(0).forEach((w) => w());
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/wechat/events`;
    return this;
  }

  of(infoType: string): ReceivedPush[] {
    return this.pushes.filter((p) => p.fields.InfoType === infoType);
  }

  /** Resolves once `n` pushes of the type arrived (fails the test after 3 s). */
  async waitFor(infoType: string, n = 1): Promise<ReceivedPush[]> {
    const deadline = Date.now() + 3000;
    while (this.of(infoType).length < n) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${n} ${infoType} push(es); got ${JSON.stringify(this.pushes.map((p) => p.fields.InfoType))}`,
        );
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    return this.of(infoType);
  }

  latestTicket(): string {
    const t = this.of('component_verify_ticket').at(-1);
    if (!t) throw new Error('no ticket received');
    return t.fields.ComponentVerifyTicket;
  }

  close(): Promise<void> {
    return new Promise((r) => {
      this.server.close(() => r());
      this.server.closeAllConnections();
    });
  }
}

/** HTTP client that never throws on status, so tests see WeChat's raw answers. */
export function client(sim: WeChatSimulator): AxiosInstance {
  return axios.create({ baseURL: sim.url, validateStatus: () => true, maxRedirects: 0 });
}

export interface Harness {
  sim: WeChatSimulator;
  http: AxiosInstance;
  events: EventReceiver;
  clock: FakeClock;
  /** POST /cgi-bin/<api> with JSON body and query. */
  call(api: string, body?: unknown, query?: Record<string, string>): Promise<Record<string, any>>;
  componentToken(): Promise<string>;
  /** Creates an account, authorizes it via the control API and exchanges the code. */
  onboard(fields?: Record<string, unknown>): Promise<{ appId: string; accessToken: string; refreshToken: string }>;
  close(): Promise<void>;
}

export async function startHarness(overrides: Partial<SimulatorOptions> = {}): Promise<Harness> {
  const clock = new FakeClock();
  const events = await new EventReceiver().start();
  const sim = await startWeChatSimulator({
    ...COMPONENT,
    port: 0,
    eventUrl: events.url,
    pushTicketOnStart: false,
    now: clock.now,
    ...overrides,
  });
  const http = client(sim);
  const call = async (api: string, body: unknown = {}, query: Record<string, string> = {}) => {
    const res = await http.post(`/cgi-bin/${api}`, body, { params: query });
    if (res.status !== 200) throw new Error(`HTTP ${res.status} from ${api}`);
    return res.data;
  };
  const h: Harness = {
    sim,
    http,
    events,
    clock,
    call,
    async componentToken() {
      await sim.pushTicket();
      const res = await call('component/api_component_token', {
        component_appid: COMPONENT.componentAppId,
        component_appsecret: COMPONENT.componentAppSecret,
        component_verify_ticket: events.latestTicket(),
      });
      if (!res.component_access_token) throw new Error(`no component token: ${JSON.stringify(res)}`);
      return res.component_access_token;
    },
    async onboard(fields = {}) {
      const created = await sim.createAuthorizer({ authorize: true, ...fields });
      const token = await h.componentToken();
      const res = await call(
        'component/api_query_auth',
        { component_appid: COMPONENT.componentAppId, authorization_code: created.authCode },
        { component_access_token: token },
      );
      const info = res.authorization_info;
      if (!info) throw new Error(`query_auth failed: ${JSON.stringify(res)}`);
      return { appId: created.appId, accessToken: info.authorizer_access_token, refreshToken: info.authorizer_refresh_token };
    },
    async close() {
      await sim.close();
      await events.close();
    },
  };
  return h;
}
