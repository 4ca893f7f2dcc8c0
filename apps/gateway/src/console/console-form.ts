import type { Request } from 'express';

const FORM_LIMIT_BYTES = 8 * 1024;

/**
 * A console form (application/x-www-form-urlencoded, at most 8 KB). The API installs no form
 * parser, so only the console's own routes ever read one; anything else reads as an empty form.
 */
export async function readForm(req: Request): Promise<URLSearchParams> {
  if (!req.is('application/x-www-form-urlencoded')) return new URLSearchParams();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > FORM_LIMIT_BYTES) return new URLSearchParams();
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** A POST from another site (or a page that hides its origin as "null") is refused before anything happens. */
export function sameOrigin(req: Request, publicBaseUrl: string): boolean {
  const origin = req.get('origin');
  if (origin === undefined) return true; // no Origin header: not a browser's cross-site form; SameSite=Strict and the CSRF token still apply
  const host = req.get('host');
  return (
    origin === new URL(publicBaseUrl).origin ||
    (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`))
  );
}
