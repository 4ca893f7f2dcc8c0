import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { guardedLookup, hostOf, isForbiddenAddress } from './address-guard';
import { signatureHeader } from './webhook-signing';
import { privateUrlsRefused, webhookSettings } from './webhook-settings';

export interface SendResult {
  /** 2xx within the deadline. */
  ok: boolean;
  /** The delivery can never be attempted (its URL does not parse): retrying cannot help. */
  permanent?: boolean;
  httpStatus: number | null;
  durationMs: number;
  error: string | null;
}

/** Receivers' answers are not read beyond this; only the status matters. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * The one client for receivers' URLs. In production (unless private URLs are allowed) the
 * agents' lookup refuses non-public addresses, and literal addresses are checked here, so the
 * connection is made only to a checked address. Redirects are never followed (3xx is a failure).
 */
@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  private readonly guarded: boolean;
  private readonly timeoutMs: number;
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.guarded = privateUrlsRefused(config);
    this.timeoutMs = webhookSettings(config).timeoutMs;
    const lookup = this.guarded ? guardedLookup : undefined;
    this.httpAgent = new HttpAgent({ keepAlive: true, maxFreeSockets: 32, lookup });
    this.httpsAgent = new HttpsAgent({ keepAlive: true, maxFreeSockets: 32, lookup });
  }

  /** After the worker drained (beforeApplicationShutdown), so sends in flight are not cut off. */
  onApplicationShutdown(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  async send(delivery: { url: string; eventId: string; body: string; secrets: string[] }): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    // Registration refuses such URLs; one stored before that rule fails for good, not every 15 s forever.
    if (!URL.canParse(delivery.url)) {
      return { ok: false, permanent: true, httpStatus: null, durationMs: 0, error: 'invalid URL: it cannot be parsed' };
    }
    const url = new URL(delivery.url);
    const host = hostOf(url);
    if (this.guarded && isIP(host) && isForbiddenAddress(host)) {
      return { ok: false, httpStatus: null, durationMs: 0, error: 'address not allowed' };
    }
    const timestamp = Math.floor(Date.now() / 1000);
    const body = Buffer.from(delivery.body, 'utf8');
    const headers = {
      'content-type': 'application/json',
      'content-length': String(body.length),
      'user-agent': 'wechat-tenant-gateway-webhooks/1',
      'webhook-id': delivery.eventId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(delivery.secrets, delivery.eventId, timestamp, delivery.body),
    };
    const https = url.protocol === 'https:';
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const finish = (r: Omit<SendResult, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...r, durationMs: elapsed() });
      };
      const req = (https ? httpsRequest : httpRequest)(url, {
        method: 'POST',
        headers,
        agent: https ? this.httpsAgent : this.httpAgent,
      });
      // One deadline for the whole exchange (connect, send, answer), not per socket event.
      const timer = setTimeout(() => {
        finish({ ok: false, httpStatus: null, error: `no answer within ${this.timeoutMs} ms` });
        req.destroy();
      }, this.timeoutMs);
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) res.destroy();
        });
        const done = () =>
          finish({
            ok: status >= 200 && status < 300,
            httpStatus: status,
            error: status >= 200 && status < 300 ? null : `HTTP ${status}`,
          });
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        const reason = e.code === 'EWEBHOOKADDRESS' ? 'address not allowed' : (e.code ?? 'request failed');
        finish({ ok: false, httpStatus: null, error: reason });
      });
      req.end(body);
    });
  }
}
