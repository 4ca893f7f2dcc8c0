import type { IncomingHttpHeaders } from 'node:http';
import type { LookupFunction, Socket } from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { armConnectTimeout } from './connect-timeout';

/** Raised when a reply is larger than the caller accepts; the socket is dropped, not drained. */
export class ReplyTooLargeError extends Error {
  readonly code = 'ERR_REPLY_TOO_LARGE';
  constructor(maxBytes: number) {
    super(`reply larger than ${maxBytes} bytes`);
  }
}

export interface HttpExchangeRequest {
  method: 'GET' | 'POST';
  /** scheme://host:port */
  origin: string;
  /** Path and query, as sent. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  dispatcher: Dispatcher;
  signal: AbortSignal;
  maxBytes: number;
}

export interface HttpExchangeReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * The connection pool WeChat calls go through (undici): keep-alive connections, up to 64 per
 * origin, each new one given `connectTimeoutMs` to connect, name lookup included (undici's own
 * connect timeout starts after the lookup: armConnectTimeout covers both), `lookup` resolving
 * names when given. No response timeouts here: each call carries its own deadline (the signal).
 */
export function wechatConnectionPool(opts: { connectTimeoutMs: number; lookup?: LookupFunction }): Agent {
  const connectTcp = buildConnector({ timeout: 0, ...(opts.lookup ? { lookup: opts.lookup } : {}) });
  const connect: buildConnector.connector = (options, callback) => {
    // undici's connector returns the socket it connects (its types say void).
    const socket = connectTcp(options, callback) as unknown as Socket | undefined;
    if (socket) armConnectTimeout(socket, opts.connectTimeoutMs);
  };
  return new Agent({ connections: 64, headersTimeout: 0, bodyTimeout: 0, connect });
}

/**
 * One HTTP request and its whole reply: what WeChatHttp needs and nothing more (no redirects
 * followed, no body transformation), on undici, whose client costs about half the CPU of Node's
 * `http` per call (bench `overhead`). Network failures reject with the error's `code` kept; the
 * signal aborts.
 */
export async function httpExchange(req: HttpExchangeRequest): Promise<HttpExchangeReply> {
  const res = await req.dispatcher.request({
    origin: req.origin,
    path: req.path,
    method: req.method,
    headers: req.headers,
    body: req.body ?? (req.method === 'GET' ? undefined : Buffer.alloc(0)),
    signal: req.signal,
  });
  if (Number(res.headers['content-length']) > req.maxBytes) {
    res.body.destroy();
    throw new ReplyTooLargeError(req.maxBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > req.maxBytes) {
      res.body.destroy();
      throw new ReplyTooLargeError(req.maxBytes);
    }
    chunks.push(chunk);
  }
  return { status: res.statusCode, headers: res.headers, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size) };
}
