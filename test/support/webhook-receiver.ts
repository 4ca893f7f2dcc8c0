import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { bearer } from './onboarding';

export interface Received {
  headers: Record<string, string>;
  body: string;
  at: number;
}

/** How the receiver answers the n-th request (0-based): a status, or 'hang' (never answers). */
export type Responder = (r: Received, n: number) => number | 'hang';

export interface Receiver {
  url: string;
  received: Received[];
  respond: Responder;
  /** Requests whose webhook-id is `id`. */
  byId(id: string): Received[];
  close(): Promise<void>;
}

const flat = (h: IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));

/** A real HTTP receiver on 127.0.0.1 that records every request. */
export async function startReceiver(respond: Responder = () => 200): Promise<Receiver> {
  const received: Received[] = [];
  const hanging = new Set<import('node:http').ServerResponse>();
  const receiver: Receiver = {
    url: '',
    received,
    respond,
    byId: (id) => received.filter((r) => r.headers['webhook-id'] === id),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { headers: flat(req.headers), body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      const n = received.push(r) - 1;
      const answer = receiver.respond(r, n);
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` holds (short interval, so tests wait no longer than needed). */
export async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}

/** Verifies a received request the way a receiver would, with the standardwebhooks package. */
export function verify(secret: string, r: Received): unknown {
  return new Webhook(secret).verify(r.body, {
    'webhook-id': r.headers['webhook-id'],
    'webhook-timestamp': r.headers['webhook-timestamp'],
    'webhook-signature': r.headers['webhook-signature'],
  });
}

export { bearer };

/** A tenant through the API: its id and its own key. */
export async function createTenant(url: string, operatorKey: string): Promise<{ id: string; key: string }> {
  const res = await request(url).post('/v1/tenants').set(bearer(operatorKey)).send({ name: 'Webhook tenant' }).expect(201);
  return { id: res.body.id, key: res.body.apiKey };
}
