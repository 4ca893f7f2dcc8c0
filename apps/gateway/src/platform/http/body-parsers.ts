import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { bodyTooDeep } from '../validation/body-shape';
import { DEFAULT_BODY_LIMIT, routeBodyOf } from './route-body';

/**
 * A body the parsers refuse. `type` carries body-parser's names for the three cases, which the
 * error table already answers (400 MALFORMED_BODY, 413 PAYLOAD_TOO_LARGE, 415).
 */
export class BodyError extends Error {
  constructor(readonly type: 'entity.parse.failed' | 'entity.too.large' | 'charset.unsupported' | 'encoding.unsupported') {
    super(type);
  }
}

type Done = (err: Error | null, body?: unknown) => void;

/**
 * The content-type parsers of every route, replacing Fastify's own (whose JSON rules differ from
 * the ones clients were promised). A route that declares `raw` (the WeChat proxy) gets its body
 * as bytes whatever the type; a route that declares `streamed` types gets those as the request
 * stream; everything else is read whole within the route's body limit (Fastify enforces it):
 * - application/json: strict (an object or an array), a leading byte order mark dropped, UTF-8
 *   only, and never nested deeper than MAX_BODY_DEPTH;
 * - text/plain, text/xml, application/xml (WeChat's pushes) and form posts (the console): a string;
 * - any other type: read within the limit and dropped (the route's validation answers it).
 */
export function registerBodyParsers(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body: Buffer, done: Done) => {
    if (isRaw(req)) return done(null, body);
    if (!utf8(req)) return done(new BodyError('charset.unsupported'));
    try {
      done(null, parseJson(body.toString('utf8')));
    } catch (e) {
      done(e as Error);
    }
  });
  fastify.addContentTypeParser(
    ['text/plain', 'text/xml', 'application/xml', 'application/x-www-form-urlencoded'],
    { parseAs: 'buffer' },
    (req, body: Buffer, done: Done) => {
      if (isRaw(req)) return done(null, body);
      if (!utf8(req)) return done(new BodyError('charset.unsupported'));
      done(null, body.toString('utf8'));
    },
  );
  // Streamed job bodies (a million openids as NDJSON or CSV) reach their handler unread.
  fastify.addContentTypeParser(['application/x-ndjson', 'text/csv'], (req, payload: Readable, done: Done) => {
    if (routeBodyOf(req.routeOptions.config)?.streamed?.includes(mediaType(req))) return done(null, payload);
    readWithin(payload, limitOf(req)).then((bytes) => done(null, isRaw(req) ? bytes : undefined), done);
  });
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body: Buffer, done: Done) => {
    done(null, isRaw(req) ? body : undefined);
  });
}

function isRaw(req: FastifyRequest): boolean {
  return routeBodyOf(req.routeOptions.config)?.raw === true;
}

function mediaType(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** No charset, or UTF-8 (the only one our clients and WeChat send). */
function utf8(req: FastifyRequest): boolean {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(req.headers['content-type'] ?? '')?.[1];
  return charset === undefined || charset.toLowerCase() === 'utf-8' || charset.toLowerCase() === 'utf8';
}

function limitOf(req: FastifyRequest): number {
  return req.routeOptions.bodyLimit ?? DEFAULT_BODY_LIMIT;
}

/** As body-parser's JSON parser (strict, a leading BOM dropped, empty is {}), then the depth limit. */
export function parseJson(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.length === 0) return {};
  // Strict: a JSON body must be an object or an array.
  const first = firstNonBlank(body);
  if (first !== '{' && first !== '[') throw new BodyError('entity.parse.failed');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new BodyError('entity.parse.failed');
  }
  const tooDeep = bodyTooDeep(parsed);
  if (tooDeep) throw tooDeep;
  return parsed;
}

/** The first character that is not JSON whitespace (space, tab, line feed, carriage return). */
function firstNonBlank(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return text[i];
  }
  return undefined;
}

/** The whole stream, refused past `limit` bytes (left undestroyed: the answer still has to reach the client). */
function readWithin(stream: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      stop();
      reject(new BodyError('entity.too.large'));
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    const onError = (err: Error) => {
      stop();
      reject(err);
    };
    const stop = () => {
      stream.off('data', onData).off('end', onEnd).off('error', onError);
    };
    stream.on('data', onData).on('end', onEnd).on('error', onError);
  });
}
