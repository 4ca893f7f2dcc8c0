import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import type { AnyCaller } from '../auth/caller';
import { parseTenantId, type TenantId } from '../../tenants/tenant-id';
import { BodyError } from './body-parsers';
import { bodyNeedsTenantAdmission, DEFAULT_BODY_LIMIT } from './route-body';

/** Every /v1 route takes a key; the public ones (onboarding pages, WeChat callback and pushes, health, metrics, docs) live elsewhere. */
const KEYED_PATH = /^\/v1(?:[/?]|$)/;
/** What is still read of a body the answer did not need, so the client is not reset while it sends. */
const UNREAD_BODY_DRAIN_BYTES = 8 * 1024 * 1024;
const UNREAD_BODY_DRAIN_MS = 10_000;
/** Requests on a large-body route whose caller may not use its tenant: they get the default limit. */
const DEFAULT_LIMITED = new WeakSet<FastifyRequest>();

export interface KeyCheck {
  /** The caller of a keyed request (401 or 429 when there is none), resolved once per request. */
  authenticate(req: FastifyRequest): Promise<AnyCaller>;
  /** Why `caller` may not use a tenant route of `tenantId`; undefined when it may. */
  refusalOnTenant(access: 'tenant', caller: AnyCaller, tenantId: TenantId): Promise<Error | undefined>;
}

export function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * The hooks every request passes, in Fastify's lifecycle order:
 * - onRequest: a keyed route's key is checked before its body is read, so an anonymous caller
 *   gets 401 (or 429) without making us read anything; on a route that reads more than the
 *   default or raw bytes (jobs, proxy), a caller who may not use its tenant gets the default
 *   1 MB limit (and then the guard's answer);
 * - preParsing: compressed bodies are refused (415): a small gzip can inflate to any size, and no
 *   client of ours needs them;
 * - onSend: an answer given before the body was read closes the connection (see closeAfterAnswer).
 */
export function installRequestHooks(fastify: FastifyInstance, keys: KeyCheck): void {
  fastify.addHook('onRequest', async (req) => {
    if (!hasBody(req.raw) || !KEYED_PATH.test(req.url)) return;
    const caller = await keys.authenticate(req);
    if (!bodyNeedsTenantAdmission(req.routeOptions.config)) return;
    const tenantId = parseTenantId((req.params as { tenantId?: string } | undefined)?.tenantId);
    if (!tenantId || (await keys.refusalOnTenant('tenant', caller, tenantId))) DEFAULT_LIMITED.add(req);
  });
  fastify.addHook('preParsing', async (req, _reply, payload) => {
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity' && hasBody(req.raw)) {
      throw new BodyError('encoding.unsupported');
    }
    return DEFAULT_LIMITED.has(req) ? payload.pipe(new ByteLimit(DEFAULT_BODY_LIMIT)) : payload;
  });
  fastify.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.raw.complete && hasBody(req.raw)) closeAfterAnswer(req.raw, reply);
  });
}

/** Passes at most `limit` bytes through; past that, fails with 413. */
class ByteLimit extends Transform {
  private seen = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) return callback(new BodyError('entity.too.large'));
    callback(null, chunk);
  }
}

/**
 * The answer (401, 413, …) goes out before the client has sent its body. Closing at once would
 * reset a client still sending, which then never reads the answer; keeping the connection would
 * make us read an unbounded body for nothing. So: `Connection: close`, the rest of the body read
 * and dropped up to a bound (bytes and time), and only then the socket closed.
 */
function closeAfterAnswer(req: IncomingMessage, reply: FastifyReply): void {
  reply.header('Connection', 'close');
  const socket = req.socket as Socket & { destroySoon: () => void };
  const destroySoon = socket.destroySoon.bind(socket);
  let seen = 0;
  let bodyIn = false;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > UNREAD_BODY_DRAIN_BYTES) socket.destroy();
  });
  req.once('end', () => (bodyIn = true));
  req.resume();
  // Node calls this once the answer is written, and would close at once: instead the writing side
  // ends (the client reads the answer), and the socket closes once the body is in or time is up.
  socket.destroySoon = () => {
    if (bodyIn) return destroySoon();
    socket.end();
    const timer = setTimeout(() => socket.destroy(), UNREAD_BODY_DRAIN_MS).unref();
    socket.once('close', () => clearTimeout(timer));
    req.once('end', destroySoon);
  };
}
