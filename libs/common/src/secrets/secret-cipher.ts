import { createCipheriv, createDecipheriv, createHash, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { DomainError } from '../errors/domain-error';

/** A ciphertext that fails authentication, names an unknown key or is malformed. */
export class SecretDecryptionError extends DomainError<'SECRET_DECRYPTION_FAILED'> {
  constructor(reason: string) {
    super('SECRET_DECRYPTION_FAILED', `Encrypted secret could not be decrypted: ${reason}`);
  }
}

export class SecretKeyError extends DomainError<'SECRET_KEY_INVALID'> {
  constructor(message: string) {
    super('SECRET_KEY_INVALID', message);
  }
}

/** Sealed bound to its place (table, column, row). */
const VERSION = 'v2';
/** Sealed with only the key id as associated data: readable only to re-seal it. */
const UNBOUND_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Where a sealed value lives. It is the ciphertext's associated data, so a value copied into
 * another row or column (two tenants' tokens swapped by someone with database write access)
 * fails authentication instead of being used there.
 */
export interface SealedPlace {
  table: string;
  column: string;
  /** The row's primary key as text (as PostgreSQL's `::text` writes it). */
  row: string;
}

function associatedData(version: string, keyId: string, at?: SealedPlace): Buffer {
  if (version === UNBOUND_VERSION) return Buffer.from(`${version}.${keyId}`);
  // JSON: no separator inside a part can make two places read alike.
  return Buffer.from(JSON.stringify([version, keyId, at!.table, at!.column, at!.row]));
}

/** Short public id of a key: lets a ciphertext say which key sealed it, so keys can rotate. */
export function secretKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export function decodeSecretKey(base64: string, name = 'key'): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== base64.trim().replace(/=+$/, '')) {
    throw new SecretKeyError(`${name} must be 32 bytes encoded as base64`);
  }
  return key;
}

/**
 * AES-256-GCM for secrets at rest. Format: `v2.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts),
 * with the key id and the value's place (table, column, row) as associated data. Encrypts with the
 * current key; decrypts with whichever key the id names (current or previous), so a rotation only
 * needs both keys configured while old rows are re-sealed. Values sealed before places were bound
 * (`v1.…`) open only for re-sealing (`unsealForReseal`), never for use.
 */
export class SecretCipher {
  // Key objects made once: given a raw Buffer, Node imports and checks the key on every call.
  private readonly current: { id: string; key: KeyObject };
  private readonly keys = new Map<string, KeyObject>();

  constructor(currentKey: Buffer, previousKey?: Buffer) {
    if (currentKey.length !== 32) throw new SecretKeyError('encryption key must be 32 bytes');
    this.current = { id: secretKeyId(currentKey), key: createSecretKey(currentKey) };
    this.keys.set(this.current.id, this.current.key);
    if (previousKey) {
      if (previousKey.length !== 32) throw new SecretKeyError('previous encryption key must be 32 bytes');
      this.keys.set(secretKeyId(previousKey), createSecretKey(previousKey));
    }
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  /** Seals `plaintext` for `at`: it opens only there. */
  encrypt(plaintext: string, at: SealedPlace): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(associatedData(VERSION, this.current.id, at));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, this.current.id, iv.toString('base64url'), tag.toString('base64url'), body.toString('base64url')].join('.');
  }

  /** The plaintext of a value sealed for `at`; SecretDecryptionError for one sealed elsewhere, tampered or unbound. */
  decrypt(sealed: string, at: SealedPlace): string {
    if (sealed.startsWith(`${UNBOUND_VERSION}.`)) {
      throw new SecretDecryptionError('sealed before values were bound to their place; re-seal it (npm run secrets:reseal)');
    }
    return this.open(sealed, at);
  }

  /** Like decrypt, and also opens an unbound (`v1`) value: only to seal it again for its place. */
  unsealForReseal(sealed: string, at: SealedPlace): string {
    return this.open(sealed, at);
  }

  private open(sealed: string, at: SealedPlace): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || (parts[0] !== VERSION && parts[0] !== UNBOUND_VERSION)) {
      throw new SecretDecryptionError('unrecognised format');
    }
    const [version, keyId, ivPart, tagPart, bodyPart] = parts;
    const key = this.keys.get(keyId);
    if (!key) throw new SecretDecryptionError(`no configured key has id ${keyId}`);
    const iv = Buffer.from(ivPart, 'base64url');
    const tag = Buffer.from(tagPart, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretDecryptionError('malformed header');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(associatedData(version, keyId, at));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(bodyPart, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretDecryptionError('authentication failed (tampered, moved from another row or column, or wrong key)');
    }
  }

  /** The prefix every value sealed now starts with: anything else is due for re-sealing. */
  get currentPrefix(): string {
    return `${VERSION}.${this.current.id}.`;
  }

  /** True when the value was sealed with a key other than the current one, or unbound (due for re-sealing). */
  needsRotation(sealed: string): boolean {
    return !sealed.startsWith(this.currentPrefix);
  }
}
