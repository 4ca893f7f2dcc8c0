import { createCipheriv, randomBytes } from 'node:crypto';
import {
  decodeSecretKey,
  type SealedPlace,
  SecretCipher,
  SecretDecryptionError,
  SecretKeyError,
  secretKeyId,
} from './secret-cipher';

const at: SealedPlace = { table: 'authorizers', column: 'refresh_token', row: '7c1f0d6e-0000-4000-8000-000000000001' };

/** A value as the cipher sealed it before places were bound: AAD `v1.<keyId>`. */
function sealUnbound(key: Buffer, plaintext: string): string {
  const id = secretKeyId(key);
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(`v1.${id}`));
  const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return ['v1', id, iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

describe('SecretCipher (AES-256-GCM with key ids, bound to table, column and row)', () => {
  const keyA = randomBytes(32);
  const keyB = randomBytes(32);

  it('round-trips a secret and never stores the plaintext', () => {
    const cipher = new SecretCipher(keyA);
    const sealed = cipher.encrypt('authorizer-refresh-token-123', at);
    expect(sealed).not.toContain('authorizer-refresh-token-123');
    expect(sealed.startsWith(`v2.${cipher.currentKeyId}.`)).toBe(true);
    expect(cipher.decrypt(sealed, at)).toBe('authorizer-refresh-token-123');
  });

  it('a value opens only where it was sealed: another row, column or table fails authentication', () => {
    const cipher = new SecretCipher(keyA);
    const sealed = cipher.encrypt('tenant-a-token', at);
    for (const elsewhere of [
      { ...at, row: '7c1f0d6e-0000-4000-8000-000000000002' },
      { ...at, column: 'access_token' },
      { ...at, table: 'component_state' },
      // Parts that would read alike if joined with a separator.
      { table: 'authorizers.refresh_token', column: '', row: at.row },
    ]) {
      expect(() => cipher.decrypt(sealed, elsewhere)).toThrow(SecretDecryptionError);
    }
  });

  it('uses a fresh IV each time', () => {
    const cipher = new SecretCipher(keyA);
    expect(cipher.encrypt('same', at)).not.toBe(cipher.encrypt('same', at));
  });

  it('decrypts values sealed with the previous key during a rotation and seals new ones with the current key', () => {
    const old = new SecretCipher(keyA).encrypt('old-secret', at);
    const rotated = new SecretCipher(keyB, keyA);
    expect(rotated.decrypt(old, at)).toBe('old-secret');
    expect(rotated.needsRotation(old)).toBe(true);
    const fresh = rotated.encrypt('new-secret', at);
    expect(rotated.needsRotation(fresh)).toBe(false);
    expect(() => new SecretCipher(keyA).decrypt(fresh, at)).toThrow(SecretDecryptionError);
  });

  it('an unbound value from before (v1) is refused for use, opens only to be re-sealed, and is due for it', () => {
    const cipher = new SecretCipher(keyA);
    const legacy = sealUnbound(keyA, 'legacy-token');
    expect(() => cipher.decrypt(legacy, at)).toThrow(/re-seal/);
    expect(cipher.unsealForReseal(legacy, at)).toBe('legacy-token');
    expect(cipher.needsRotation(legacy)).toBe(true);
    expect(cipher.unsealForReseal(cipher.encrypt('bound', at), at)).toBe('bound');
  });

  it('fails loudly on a tampered ciphertext, tag or header', () => {
    const cipher = new SecretCipher(keyA);
    const sealed = cipher.encrypt('do-not-touch', at);
    const parts = sealed.split('.');
    const flip = (s: string) => {
      const b = Buffer.from(s, 'base64url');
      b[0] ^= 0x01;
      return b.toString('base64url');
    };
    expect(() => cipher.decrypt([...parts.slice(0, 4), flip(parts[4])].join('.'), at)).toThrow(SecretDecryptionError);
    expect(() => cipher.decrypt([...parts.slice(0, 3), flip(parts[3]), parts[4]].join('.'), at)).toThrow(SecretDecryptionError);
    expect(() => cipher.decrypt(['v2', 'deadbeef', ...parts.slice(2)].join('.'), at)).toThrow(/no configured key/);
    expect(() => cipher.decrypt('not-a-ciphertext', at)).toThrow(SecretDecryptionError);
  });

  it('rejects keys that are not 32 bytes of base64', () => {
    expect(() => decodeSecretKey(randomBytes(16).toString('base64'))).toThrow(SecretKeyError);
    expect(() => decodeSecretKey('!!!!')).toThrow(SecretKeyError);
    expect(decodeSecretKey(keyA.toString('base64')).equals(keyA)).toBe(true);
  });
});
