import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../database/database-unavailable';
import { requestIdOf } from '../logging/request-id';
import { ERROR_STATUS, type ErrorCode, isErrorCode } from './error-status';

export interface ErrorBody {
  error: { code: string; message: string; requestId: string; details?: unknown };
}

interface Classified {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  retryAfterSeconds?: number;
}

/** What a client is told to wait while PostgreSQL is unreachable (readiness notices within a second). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

const HTTP_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  // @nestjs/throttler's ThrottlerException (it sets Retry-After itself before throwing).
  429: 'RATE_LIMITED',
};

/** Fastify's body errors, by the names the table below answers. */
const FASTIFY_BODY_ERRORS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'entity.too.large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'type.unsupported',
};

/** The one error JSON for any thrown value, with its status and Retry-After (seconds) if any. */
export interface ErrorAnswer {
  status: number;
  retryAfter?: string;
  body: ErrorBody;
}

/**
 * What any thrown value answers. Unknown errors become a logged 500 with no internals.
 */
export function errorAnswer(exception: unknown, requestId: string, logger: Pick<Logger, 'error'>): ErrorAnswer {
  const c = classify(exception);
  if (c.status >= 500) {
    const err = exception instanceof Error ? exception : new Error(String(exception));
    // Field names avoid the redacted words (code, token...) so the log stays useful.
    logger.error({ requestId, errorKind: c.code, errorName: err.name, err: err.message, stack: err.stack }, 'request failed');
  }
  const body: ErrorBody = { error: { code: c.code, message: c.message, requestId } };
  if (c.details !== undefined) body.error.details = c.details;
  const retryAfter = c.retryAfterSeconds === undefined ? undefined : String(Math.max(1, Math.ceil(c.retryAfterSeconds)));
  return { status: c.status, retryAfter, body };
}

/** Turns any thrown value into the one error JSON (errorAnswer). */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const answer = errorAnswer(exception, requestIdOf(req), this.logger);
    if (reply.sent) return;
    if (answer.retryAfter !== undefined) reply.header('Retry-After', answer.retryAfter);
    reply.status(answer.status).send(answer.body);
  }
}

function classify(exception: unknown): Classified {
  const e = exception as {
    code?: unknown;
    type?: unknown;
    status?: unknown;
    message?: string;
    details?: unknown;
    retryAfterSeconds?: number;
  };
  // Body errors (platform/http/body-parsers.ts, and Fastify's own) reach us raw or wrapped by Nest.
  const cause = (exception as { cause?: { type?: unknown; code?: unknown } })?.cause;
  const bodyParserType =
    typeof e?.type === 'string'
      ? e.type
      : typeof cause?.type === 'string'
        ? cause.type
        : FASTIFY_BODY_ERRORS[String(cause?.code ?? e?.code)];
  if (bodyParserType === 'entity.parse.failed')
    return { status: 400, code: 'MALFORMED_BODY', message: 'The request body is not valid JSON.' };
  if (bodyParserType === 'entity.too.large')
    return {
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message:
        'The request body is larger than this route accepts (1 MB for JSON bodies; 80 MB for blacklist jobs; 10 MB through the WeChat proxy).',
    };
  if (bodyParserType === 'encoding.unsupported' || bodyParserType === 'charset.unsupported') {
    return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported body encoding.' };
  }
  if (bodyParserType === 'type.unsupported') {
    return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported body content type.' };
  }
  // A database outage is not a bug: say so, and when to come back.
  if (isDatabaseUnavailable(exception)) {
    return {
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'The service is temporarily unavailable (its database cannot be reached). Retry later.',
      details: { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
    };
  }
  if (isErrorCode(e?.code)) {
    const status = ERROR_STATUS[e.code];
    if (status >= 500 && e.code !== 'WECHAT_API_ERROR' && e.code !== 'WECHAT_UNAVAILABLE') {
      return { status, code: 'INTERNAL', message: 'An unexpected error occurred.' };
    }
    return { status, code: e.code, message: e.message ?? e.code, details: e.details, retryAfterSeconds: e.retryAfterSeconds };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status >= 500) return { status, code: 'INTERNAL', message: 'An unexpected error occurred.' };
    const code = HTTP_CODES[status] ?? 'BAD_REQUEST';
    const message =
      status === 404
        ? 'No such route.'
        : status === HttpStatus.TOO_MANY_REQUESTS
          ? 'Too many requests from this address; retry after the time in Retry-After.'
          : exception.message;
    return { status, code, message };
  }
  return { status: 500, code: 'INTERNAL', message: 'An unexpected error occurred.' };
}
