import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ThrottlerException } from '@nestjs/throttler';
import type { IncomingHttpHeaders } from 'node:http';
import { errorAnswer, HttpErrorFilter } from '../platform/errors/http-error.filter';
import { prefersJson } from '../platform/http/accepts';
import { requestIdOf } from '../platform/logging/request-id';
import { negotiateLocale } from '../onboarding/messages/locale';
import { webOAuthErrorPage } from './web-oauth-pages';

interface PageRequest {
  headers: IncomingHttpHeaders;
  query?: Record<string, unknown>;
  id?: unknown;
}

/**
 * Refusals on the two web-authorization routes a follower's browser opens are pages in the
 * follower's language (Chinese unless asked otherwise), with the usual status and code; a client
 * asking for JSON gets the error JSON. Written through the HTTP adapter, so it works on any.
 */
@Catch()
export class WebOAuthPageFilter implements ExceptionFilter {
  private readonly logger = new Logger(WebOAuthPageFilter.name);
  private readonly json = new HttpErrorFilter();

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<PageRequest>();
    const res = host.switchToHttp().getResponse<unknown>();
    if (prefersJson(req.headers.accept)) return this.json.catch(exception, host);
    const throttled = exception instanceof ThrottlerException;
    const answer = errorAnswer(exception, requestIdOf(req as never), this.logger);
    const status = throttled ? HttpStatus.TOO_MANY_REQUESTS : answer.status;
    const locale = negotiateLocale(req.query?.lang, req.headers['accept-language'] as string | undefined);
    const adapter = this.adapterHost.httpAdapter;
    const headers: Record<string, string> = {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Language': locale,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      ...(answer.retryAfter !== undefined ? { 'Retry-After': answer.retryAfter } : {}),
    };
    for (const [name, value] of Object.entries(headers)) adapter.setHeader(res, name, value);
    adapter.reply(res, webOAuthErrorPage(locale, status, answer.body.error.code, answer.body.error.requestId), status);
  }
}
