import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

const SECRET_PREFIX = 'whsec_';

/** Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/**
 * `webhook-signature`: one `v1,<base64 HMAC-SHA256("<id>.<timestamp>.<body>")>` per secret,
 * space-separated (two during a rotation, so receivers on either secret verify).
 */
export function signatureHeader(secrets: string[], id: string, timestampSeconds: number, body: string): string {
  // The spec's reference library signs, so what receivers verify with is what we sign with.
  const at = new Date(timestampSeconds * 1000);
  return secrets.map((secret) => new Webhook(secret).sign(id, at, body)).join(' ');
}
