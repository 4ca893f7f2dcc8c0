import { Logger } from '@nestjs/common';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { PinoLogger } from 'nestjs-pino';
import type { ApiKeyGuard, TenantRouteAdmission } from '../auth/api-key.guard';
import { errorAnswer } from '../errors/http-error.filter';
import { idempotencyKeyOf } from '../idempotency/idempotency.service';
import { runWithRequestId } from '../logging/request-context';
import { requestIdFor } from '../logging/request-id';
import { bodyTooDeep } from '../validation/body-shape';
import type { BlacklistService } from './blacklist.service';
import { BlacklistChangeBodyPipe } from './openids-body.pipe';
import type { BlacklistAction } from './openid-validation';

/** Exactly the block/unblock paths, undecoded (a `%` in the id, a query or a trailing slash goes to the framework). */
const ROUTE = /^\/v1\/tenants\/([0-9A-Za-z-]{1,64})\/blacklist\/(block|unblock)$/;
/** What body-parser's JSON parser accepts as UTF-8 JSON; any other type or charset goes to the framework. */
const JSON_UTF8 = /^application\/json\s*(;\s*charset\s*=\s*("utf-8"|utf-8)\s*)?$/i;
/** The framework's JSON body limit (app.factory: 1mb). */
const MAX_BODY_BYTES = 1024 * 1024;

class MalformedBody extends Error {
  // body-parser's error type: the one error table answers it (400 MALFORMED_BODY).
  readonly type = 'entity.parse.failed';
}

class BodyAborted extends Error {}

export interface ChangeRouteHooks {
  /** The client address as the framework computes it (Express's req.ip, with its trust proxy setting). */
  addressOf(req: IncomingMessage): string;
  /** Counts and times the request in the HTTP metrics under `route`. */
  track(method: string, res: ServerResponse, route: () => string): void;
  /** Runs `fn` with a request logger bound to the request, as the framework's request logging does. */
  pino: PinoLogger;
}

/**
 * POST /v1/tenants/:tenantId/blacklist/(block|unblock), served on Node's request event ahead of
 * NestJS and Express: the hottest route, and the framework's per-request pipeline (router, ten
 * middlewares, guard, pipes, reply) was most of its cost (bench/README.md, "What each lever gave"). It answers
 * only a request the framework would hand to BlacklistController with nothing else to say: a key
 * that checks out for that tenant, a JSON body of known length up to 1 MB, no query. Anything else
 * (no or wrong key, another tenant, a rate-limited address, another content type, a chunked or
 * compressed body) goes to the framework untouched, which answers it as before. What it does
 * with a request it takes is what the controller does: the same body checks, service, request id,
 * metrics, request log line and error JSON (errorAnswer).
 */
export class BlacklistChangeRoute {
  private readonly bodyPipe = new BlacklistChangeBodyPipe();
  // The filter's name: a 500 here logs exactly as one answered by the framework does.
  private readonly logger = new Logger('HttpErrorFilter');

  constructor(
    private readonly guard: ApiKeyGuard,
    private readonly blacklist: BlacklistService,
    private readonly hooks: ChangeRouteHooks,
  ) {}

  /** The server's request listener: this route, or `framework` for everything else. */
  listener(framework: RequestListener): RequestListener {
    return (req, res) => {
      const match = req.method === 'POST' ? ROUTE.exec(req.url ?? '') : null;
      if (!match || !plainJsonBody(req)) return void framework(req, res);
      this.guard
        .admittedToTenantRoute(req.headers.authorization, () => this.hooks.addressOf(req), match[1])
        .then(
          (admitted) => {
            if (!admitted) return framework(req, res);
            const action = match[2] as BlacklistAction;
            this.serve(req, res, action, admitted);
          },
          // A key lookup that failed (the database is down): the framework answers it as it always has.
          () => framework(req, res),
        );
    };
  }

  private serve(
    req: IncomingMessage,
    res: ServerResponse,
    action: BlacklistAction,
    { caller, tenantId }: TenantRouteAdmission,
  ): void {
    const requestId = requestIdFor(req, res);
    this.hooks.track('POST', res, () => `/v1/tenants/:tenantId/blacklist/${action}`);
    this.hooks.pino.runInContext(
      () =>
        runWithRequestId(requestId, () => {
          const log = this.hooks.pino.logger;
          const started = Date.now();
          let logged = false;
          const completed = () => {
            if (!logged) logCompleted(log, req, res, Date.now() - started);
            logged = true;
          };
          res.once('finish', completed);
          res.once('close', completed);
          readBody(req)
            .then((text) => {
              const body = this.bodyPipe.transform(parseJson(text));
              const idempotencyKey = idempotencyKeyOf(req.headers['idempotency-key']);
              return this.blacklist.change(tenantId, action, body.openids, { caller, requestId, idempotencyKey });
            })
            .then(
              (result) => reply(res, 200, JSON.stringify(result)),
              (e: unknown) => {
                // The client went away before its body arrived: nobody to answer, nothing failed here.
                if (e instanceof BodyAborted) return;
                const answer = errorAnswer(e, requestId, this.logger);
                if (res.headersSent) return;
                if (answer.retryAfter !== undefined) res.setHeader('Retry-After', answer.retryAfter);
                reply(res, answer.status, JSON.stringify(answer.body));
              },
            );
        }),
      { bindings: { req, requestId } },
    );
  }
}

function plainJsonBody(req: IncomingMessage): boolean {
  const h = req.headers;
  const length = Number(h['content-length']);
  return (
    h['transfer-encoding'] === undefined &&
    h['content-encoding'] === undefined &&
    Number.isInteger(length) &&
    length > 0 &&
    length <= MAX_BODY_BYTES &&
    JSON_UTF8.test(h['content-type'] ?? '')
  );
}

/** The whole body (Node's parser holds it to its Content-Length, which plainJsonBody bounded). */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => reject(new BodyAborted()));
    req.on('close', () => {
      if (!req.complete) reject(new BodyAborted());
    });
  });
}

/** As body-parser's JSON parser (strict, a leading BOM dropped), then the framework's depth limit. */
function parseJson(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // body-parser's strict mode: a JSON body must be an object or an array.
  const first = firstNonBlank(body);
  if (first !== '{' && first !== '[') throw new MalformedBody();
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new MalformedBody();
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

function reply(res: ServerResponse, status: number, json: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(json);
}

/** pino-http's closing line, as the framework's request logging writes it. */
function logCompleted(log: PinoLogger['logger'], req: IncomingMessage, res: ServerResponse, responseTime: number): void {
  if (res.statusCode >= 500) {
    log.info({ res, err: new Error(`failed with status code ${res.statusCode}`), responseTime }, 'request errored');
  } else {
    const message = !req.readableAborted && res.writableEnded ? 'request completed' : 'request aborted';
    log.info({ res, responseTime }, message);
  }
}
