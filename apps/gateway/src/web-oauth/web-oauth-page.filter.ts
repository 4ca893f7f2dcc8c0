import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ThrottlerException } from '@nestjs/throttler';
import type { IncomingHttpHeaders } from 'node:http';
import { errorAnswer, HttpErrorFilter } from '../errors/http-error.filter';
import { requestIdOf } from '../logging/request-id';
import { negotiateLocale } from '../onboarding/messages/locale';
import { webOAuthErrorPage } from './web-oauth-pages';

interface PageRequest {
  headers: IncomingHttpHeaders;
  query?: Record<string, unknown>;
  id?: unknown;
}

interface Range {
  type: string;
  q: number;
  index: number;
}

/** How well an Accept range list takes `type`: its most specific matching range (the type itself, then its major type, then any). */
function acceptance(ranges: Range[], type: string): { q: number; specificity: number; index: number } | undefined {
  const [major] = type.split('/');
  let best: { q: number; specificity: number; index: number } | undefined;
  for (const r of ranges) {
    const specificity = r.type === type ? 2 : r.type === `${major}/*` ? 1 : r.type === '*/*' ? 0 : -1;
    if (specificity >= 0 && (!best || specificity > best.specificity)) best = { q: r.q, specificity, index: r.index };
  }
  return best;
}

/**
 * Whether the client prefers the error JSON to a page, as content negotiation decides between
 * HTML and JSON (quality first, then the more specific range, then the client's order). No Accept
 * header, or one JSON does not satisfy, gets the page.
 */
export function prefersJson(accept: string | undefined): boolean {
  const ranges: Range[] = (accept ?? '')
    .split(',')
    .map((part, index) => {
      const [type, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
      const q = params.map((p) => /^q=([0-9.]+)$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { type, q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.type !== '' && Number.isFinite(r.q));
  const json = acceptance(ranges, 'application/json');
  if (!json || json.q <= 0) return false;
  const html = acceptance(ranges, 'text/html');
  if (!html || html.q <= 0) return true;
  if (json.q !== html.q) return json.q > html.q;
  if (json.specificity !== html.specificity) return json.specificity > html.specificity;
  return json.index < html.index;
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
