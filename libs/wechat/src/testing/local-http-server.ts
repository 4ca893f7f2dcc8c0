// Test helper (not exported from index.ts): a real HTTP server on 127.0.0.1
// that records requests and answers from a queue, so specs exercise the real
// axios stack instead of mocking it.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export type Responder = (req: RecordedRequest, res: http.ServerResponse) => void;

export const json =
  (body: unknown, status = 200): Responder =>
  (_req, res) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

export const text =
  (body: string, status = 200, contentType = 'text/html'): Responder =>
  (_req, res) => {
    res.writeHead(status, { 'Content-Type': contentType });
    res.end(body);
  };

/** Never answers: for response timeouts. */
export const hang = (): Responder => () => undefined;

/** Kills the connection without a response: a network error for the client. */
export const dropConnection = (): Responder => (_req, res) => res.socket?.destroy();

export class LocalHttpServer {
  readonly requests: RecordedRequest[] = [];
  /** TCP connections accepted, to observe keep-alive. */
  connections = 0;
  private readonly queue: Responder[] = [];

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<LocalHttpServer> {
    const server = http.createServer();
    const local = new LocalHttpServer(server);
    server.on('connection', () => (local.connections += 1));
    server.on('request', (req, res) => local.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return local;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Queues answers, one per incoming request, in order. */
  respond(...responders: Responder[]): this {
    this.queue.push(...responders);
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        // keep the raw text
      }
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
      };
      this.requests.push(recorded);
      // An unexpected request gets a status no test expects, so it shows up.
      const responder = this.queue.shift() ?? text('unexpected request', 418, 'text/plain');
      responder(recorded, res);
    });
  }
}
