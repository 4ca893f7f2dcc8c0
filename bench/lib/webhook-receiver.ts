import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';

/**
 * The tenants' systems: one HTTP server on 127.0.0.1 with a path per tenant endpoint
 * (`/hooks/<tenantId>`), verifying each delivery with that endpoint's secret the way a receiver
 * would (the standardwebhooks package), and recording when each message (by MsgId) arrived and
 * how often. Answers 204 to a delivery that verifies, 400 otherwise (the gateway then retries).
 */
export class MessageReceiver {
  /** MsgId → performance.now() of its first verified delivery. */
  readonly firstAt = new Map<string, number>();
  /** MsgId → verified deliveries. */
  readonly deliveries = new Map<string, number>();
  /** webhook-id → requests (a retry repeats it). */
  readonly byWebhookId = new Map<string, number>();
  badSignatures = 0;
  /** Verified deliveries that were not message.received or carried no MsgId. */
  unexpected = 0;
  private readonly verifiers = new Map<string, Webhook>();
  private server?: Server;
  url = '';

  /** The endpoint URL for a tenant; `secret` is the one the gateway returned when it was registered. */
  endpoint(tenantId: string): string {
    return `${this.url}/hooks/${tenantId}`;
  }

  trust(tenantId: string, secret: string): void {
    this.verifiers.set(tenantId, new Webhook(secret));
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = performance.now();
        const body = Buffer.concat(chunks).toString('utf8');
        const header = (name: string) => String(req.headers[name] ?? '');
        const id = header('webhook-id');
        this.byWebhookId.set(id, (this.byWebhookId.get(id) ?? 0) + 1);
        const verifier = this.verifiers.get((req.url ?? '').split('/')[2] ?? '');
        let event: { type?: string; data?: { message?: { MsgId?: string } } };
        try {
          if (!verifier) throw new Error('unknown endpoint');
          event = verifier.verify(body, {
            'webhook-id': id,
            'webhook-timestamp': header('webhook-timestamp'),
            'webhook-signature': header('webhook-signature'),
          }) as typeof event;
        } catch {
          this.badSignatures++;
          res.writeHead(400).end();
          return;
        }
        const msgId = event.type === 'message.received' ? event.data?.message?.MsgId : undefined;
        if (typeof msgId !== 'string') this.unexpected++;
        else {
          if (!this.firstAt.has(msgId)) this.firstAt.set(msgId, at);
          this.deliveries.set(msgId, (this.deliveries.get(msgId) ?? 0) + 1);
        }
        res.writeHead(204).end();
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
