import type { FastifyReply, FastifyRequest } from 'fastify';
import { prefersJson } from '../platform/http/accepts';
import { requestIdOf } from '../platform/logging/request-id';
import { negotiateLocale } from './messages/locale';
import type { Brand, Page } from './pages';

/** Phones and tablets, WeChat's in-app browser included: there the mobile authorization flow comes first. */
const MOBILE_USER_AGENT = /Mobile|Android|iPhone|iPad|iPod|MicroMessenger|HarmonyOS/i;

export const isMobileUserAgent = (userAgent: string | undefined) => MOBILE_USER_AGENT.test(userAgent ?? '');

// The token is in the path: only the origin may travel as Referer (WeChat checks the domain).
const PAGE_HEADERS = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy':
    // Images: the provider's logo (BRAND_LOGO_URL: https, or served by the gateway itself).
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'origin',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

/** Pages are for browsers; a client that asks for JSON (and not HTML) gets an error as the usual error JSON. */
export function sendPage(req: FastifyRequest, res: FastifyReply, page: Page, brand?: Brand): void {
  if (page.retryAfterSeconds !== undefined) res.header('Retry-After', String(page.retryAfterSeconds));
  if (page.error && prefersJson(req.headers.accept)) {
    const requestId = requestIdOf(req);
    res
      .status(page.status)
      .header('Cache-Control', 'no-store')
      .send({ error: { ...page.error, requestId } });
    return;
  }
  const locale = negotiateLocale((req.query as { lang?: unknown }).lang, req.headers['accept-language']);
  res
    .status(page.status)
    .headers(PAGE_HEADERS)
    .headers({ 'Content-Language': locale, Vary: 'Accept-Language, User-Agent' })
    .type('text/html; charset=utf-8')
    .send(page.render(locale, { brand, mobile: isMobileUserAgent(req.headers['user-agent']) }));
}
