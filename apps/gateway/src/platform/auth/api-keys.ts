import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TENANT_KEY_PREFIX = 'wtg_';
/** Token keys: they may only read one tenant's authorizer token. */
export const TOKEN_KEY_PREFIX = 'wtt_';

/** `wtg_` + 192 random bits; shown once, stored only as its SHA-256. */
export function generateTenantApiKey(): string {
  return `${TENANT_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
}

/** `wtt_` + 192 random bits; shown once, stored only as its SHA-256. */
export function generateTokenKey(): string {
  return `${TOKEN_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
}

/** Hex SHA-256: what the database holds and indexes. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * A tenant key's stable id: the first 16 hex digits of its stored digest. It names the key in the
 * audit trail and in the replies that issue it, and changes only when the key does.
 */
export function tenantKeyId(keyHash: string): string {
  return keyHash.slice(0, 16);
}

/**
 * Compares two SHA-256 hex digests in constant time. Digests always have the same
 * length, so neither the key's length nor its prefix leaks through timing.
 */
export function sameKeyHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === 32 && y.length === 32 && timingSafeEqual(x, y);
}
