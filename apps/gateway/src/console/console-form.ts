import type { FastifyRequest } from 'fastify';

const FORM_LIMIT_BYTES = 8 * 1024;

/**
 * A console form (application/x-www-form-urlencoded, at most 8 KB; the body parser hands it over
 * as text). Only the console's own routes read one; anything else reads as an empty form.
 */
export function readForm(req: FastifyRequest): URLSearchParams {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const body = req.body;
  if (type !== 'application/x-www-form-urlencoded' || typeof body !== 'string') return new URLSearchParams();
  if (Buffer.byteLength(body) > FORM_LIMIT_BYTES) return new URLSearchParams();
  return new URLSearchParams(body);
}

/** A POST from another site (or a page that hides its origin as "null") is refused before anything happens. */
export function sameOrigin(req: FastifyRequest, publicBaseUrl: string): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // no Origin header: not a browser's cross-site form; SameSite=Strict and the CSRF token still apply
  const host = req.headers.host;
  return (
    origin === new URL(publicBaseUrl).origin ||
    (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`))
  );
}
