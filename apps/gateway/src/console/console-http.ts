import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { type Locale, localeFromParam, negotiateLocale } from '../platform/html';
import { prefersJson } from '../platform/http/accepts';

/** Remembers a `?lang=` switch, so every console page after it keeps the chosen language. */
export const CONSOLE_LANG_COOKIE = 'wtg_console_lang';

/**
 * The console's security headers, in one place: every page gets a fresh CSP nonce (its one inline
 * style and script carry it, nothing else runs), no framing, no sniffing, no caching.
 */
export function sendConsolePage(res: FastifyReply, status: number, render: (nonce: string) => string, locale: Locale): void {
  const nonce = randomBytes(16).toString('base64');
  res
    .status(status)
    .headers({
      'Cache-Control': 'no-store',
      'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}' 'self'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      // same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on our own form posts.
      'Referrer-Policy': 'same-origin',
      'Content-Language': locale,
      Vary: 'Accept-Language, Cookie',
    })
    .type('text/html; charset=utf-8')
    .send(render(nonce));
}

/** What the live parts of a page poll: JSON, never cached or sniffed. */
export function sendConsoleJson(res: FastifyReply, status: number, body: unknown): void {
  res.status(status).headers({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }).send(body);
}

export function redirect(res: FastifyReply, to: string): void {
  res.status(303).headers({ 'Cache-Control': 'no-store', Location: to }).send();
}

/** `?lang=` (remembered in a cookie), then the remembered choice, then Accept-Language; Chinese by default. */
export function consoleLocale(req: FastifyRequest, res?: FastifyReply): Locale {
  const asked = localeFromParam((req.query as { lang?: unknown } | undefined)?.lang);
  if (asked && res) res.setCookie(CONSOLE_LANG_COOKIE, asked, { path: '/console', sameSite: 'strict', httpOnly: true });
  return asked ?? negotiateLocale(req.cookies?.[CONSOLE_LANG_COOKIE], req.headers['accept-language']);
}

/** JSON routes of the console, and the page's own scripts (Accept: JSON), get errors as the API's error JSON; pages get a page. */
export const wantsConsoleJson = (req: FastifyRequest) =>
  (req.url.split('?')[0] ?? '').endsWith('.json') || prefersJson(req.headers.accept);
