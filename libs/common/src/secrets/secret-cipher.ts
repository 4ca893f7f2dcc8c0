import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
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

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

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
 * AES-256-GCM for secrets at rest. Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts).
 * Encrypts with the current key; decrypts with whichever key the id names (current or previous),
 * so a rotation only needs both keys configured while old rows are re-sealed.
 */
export class SecretCipher {
  private readonly current: { id: string; key: Buffer };
  private readonly keys = new Map<string, Buffer>();

  constructor(currentKey: Buffer, previousKey?: Buffer) {
    if (currentKey.length !== 32) throw new SecretKeyError('encryption key must be 32 bytes');
    this.current = { id: secretKeyId(currentKey), key: currentKey };
    this.keys.set(this.current.id, currentKey);
    if (previousKey) {
      if (previousKey.length !== 32) throw new SecretKeyError('previous encryption key must be 32 bytes');
      this.keys.set(secretKeyId(previousKey), previousKey);
    }
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(`${VERSION}.${this.current.id}`));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, this.current.id, iv.toString('base64url'), tag.toString('base64url'), body.toString('base64url')].join('.');
  }

  decrypt(sealed: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretDecryptionError('unrecognised format');
    const [version, keyId, ivPart, tagPart, bodyPart] = parts;
    const key = this.keys.get(keyId);
    if (!key) throw new SecretDecryptionError(`no configured key has id ${keyId}`);
    const iv = Buffer.from(ivPart, 'base64url');
    const tag = Buffer.from(tagPart, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretDecryptionError('malformed header');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(`${version}.${keyId}`));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(bodyPart, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretDecryptionError('authentication failed (tampered or wrong key)');
    }
  }

  /** True when the value was sealed with a key other than the current one (due for re-sealing). */
  needsRotation(sealed: string): boolean {
    return sealed.split('.')[1] !== this.current.id;
  }
}
