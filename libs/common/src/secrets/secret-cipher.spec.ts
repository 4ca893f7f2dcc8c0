import { randomBytes } from 'node:crypto';
import { decodeSecretKey, SecretCipher, SecretDecryptionError, SecretKeyError } from './secret-cipher';

describe('SecretCipher (AES-256-GCM with key ids)', () => {
  const keyA = randomBytes(32);
  const keyB = randomBytes(32);

  it('round-trips a secret and never stores the plaintext', () => {
    const cipher = new SecretCipher(keyA);
    const sealed = cipher.encrypt('authorizer-refresh-token-123');
    expect(sealed).not.toContain('authorizer-refresh-token-123');
    expect(sealed.startsWith(`v1.${cipher.currentKeyId}.`)).toBe(true);
    expect(cipher.decrypt(sealed)).toBe('authorizer-refresh-token-123');
  });

  it('uses a fresh IV each time', () => {
    const cipher = new SecretCipher(keyA);
    expect(cipher.encrypt('same')).not.toBe(cipher.encrypt('same'));
  });

  it('decrypts values sealed with the previous key during a rotation and seals new ones with the current key', () => {
    const old = new SecretCipher(keyA).encrypt('old-secret');
    const rotated = new SecretCipher(keyB, keyA);
    expect(rotated.decrypt(old)).toBe('old-secret');
    expect(rotated.needsRotation(old)).toBe(true);
    const fresh = rotated.encrypt('new-secret');
    expect(rotated.needsRotation(fresh)).toBe(false);
    expect(() => new SecretCipher(keyA).decrypt(fresh)).toThrow(SecretDecryptionError);
  });

  it('fails loudly on a tampered ciphertext, tag or header', () => {
    const cipher = new SecretCipher(keyA);
    const sealed = cipher.encrypt('do-not-touch');
    const parts = sealed.split('.');
    const flip = (s: string) => {
      const b = Buffer.from(s, 'base64url');
      b[0] ^= 0x01;
      return b.toString('base64url');
    };
    expect(() => cipher.decrypt([...parts.slice(0, 4), flip(parts[4])].join('.'))).toThrow(SecretDecryptionError);
    expect(() => cipher.decrypt([...parts.slice(0, 3), flip(parts[3]), parts[4]].join('.'))).toThrow(SecretDecryptionError);
    expect(() => cipher.decrypt(['v1', 'deadbeef', ...parts.slice(2)].join('.'))).toThrow(/no configured key/);
    expect(() => cipher.decrypt('not-a-ciphertext')).toThrow(SecretDecryptionError);
  });

  it('rejects keys that are not 32 bytes of base64', () => {
    expect(() => decodeSecretKey(randomBytes(16).toString('base64'))).toThrow(SecretKeyError);
    expect(() => decodeSecretKey('!!!!')).toThrow(SecretKeyError);
    expect(decodeSecretKey(keyA.toString('base64')).equals(keyA)).toBe(true);
  });
});
