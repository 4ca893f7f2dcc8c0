import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';

/** Raised when a reply is larger than the caller accepts; the socket is dropped, not drained. */
export class ReplyTooLargeError extends Error {
  readonly code = 'ERR_REPLY_TOO_LARGE';
  constructor(maxBytes: number) {
    super(`reply larger than ${maxBytes} bytes`);
  }
}

export interface HttpExchangeRequest {
  method: 'GET' | 'POST';
  /** Where to: protocol, hostname, port and path (what node:url's urlToHttpOptions gives). */
  target: Pick<http.RequestOptions, 'protocol' | 'hostname' | 'port' | 'path'>;
  headers: http.OutgoingHttpHeaders;
  body?: Buffer;
  agent: http.Agent;
  lookup?: LookupFunction;
  signal: AbortSignal;
  maxBytes: number;
}

export interface HttpExchangeReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One HTTP request and its whole reply, on Node's own client: what WeChatHttp needs and nothing
 * more (no redirects followed, no body transformation). A generic client's per-request
 * configuration merging cost more CPU than the gateway's own work on the hot path (bench
 * `overhead`). Network failures reject with Node's error (its `code` kept); the signal aborts.
 */
export function httpExchange(req: HttpExchangeRequest): Promise<HttpExchangeReply> {
  return new Promise((resolve, reject) => {
    const client = req.target.protocol === 'https:' ? https : http;
    const headers: http.OutgoingHttpHeaders =
      req.body || req.method !== 'GET' ? { ...req.headers, 'Content-Length': req.body?.length ?? 0 } : req.headers;
    const outgoing = client.request(
      {
        ...req.target,
        method: req.method,
        headers,
        agent: req.agent,
        signal: req.signal,
        ...(req.lookup ? { lookup: req.lookup } : {}),
      },
      (res) => {
        const declared = Number(res.headers['content-length']);
        if (declared > req.maxBytes) {
          res.destroy();
          reject(new ReplyTooLargeError(req.maxBytes));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        let complete = false;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > req.maxBytes) {
            res.destroy();
            reject(new ReplyTooLargeError(req.maxBytes));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          complete = true;
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size),
          });
        });
        res.on('error', reject);
        res.on('close', () => {
          if (complete) return;
          const err: NodeJS.ErrnoException = new Error('the connection closed before the reply was complete');
          err.code = 'ECONNRESET';
          reject(err);
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}
