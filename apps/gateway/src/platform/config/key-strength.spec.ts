import { randomBytes } from 'node:crypto';
import { estimatedKeyBits, MIN_OPERATOR_KEY_BITS } from './key-strength';

describe('estimatedKeyBits', () => {
  it('refuses keys that are long enough but not random enough', () => {
    expect(estimatedKeyBits('aaaaaaaaaaaaaaaa')).toBeLessThan(MIN_OPERATOR_KEY_BITS);
    expect(estimatedKeyBits('a'.repeat(64))).toBeLessThan(MIN_OPERATOR_KEY_BITS);
    expect(estimatedKeyBits('abcdefghijklmnop')).toBeLessThan(MIN_OPERATOR_KEY_BITS); // 16 lowercase letters: 75 bits
  });

  it('accepts what generators give', () => {
    for (let i = 0; i < 50; i++) {
      expect(estimatedKeyBits(randomBytes(16).toString('hex'))).toBeGreaterThanOrEqual(MIN_OPERATOR_KEY_BITS);
      expect(estimatedKeyBits(randomBytes(24).toString('base64url'))).toBeGreaterThanOrEqual(MIN_OPERATOR_KEY_BITS);
      expect(estimatedKeyBits(`op_test_${randomBytes(16).toString('hex')}`)).toBeGreaterThanOrEqual(MIN_OPERATOR_KEY_BITS);
    }
  });
});
