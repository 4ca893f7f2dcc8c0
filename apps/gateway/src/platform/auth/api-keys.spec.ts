import { generateTenantApiKey, hashApiKey, sameKeyHash } from './api-keys';

describe('tenant API keys', () => {
  it('are wtg_ + at least 128 random bits, and differ every time', () => {
    const keys = new Set(Array.from({ length: 50 }, generateTenantApiKey));
    expect(keys.size).toBe(50);
    for (const k of keys) {
      expect(k).toMatch(/^wtg_[A-Za-z0-9_-]+$/);
      expect(Buffer.from(k.slice(4), 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    }
  });

  it('are stored as a SHA-256 hex digest and compared digest to digest', () => {
    const k = generateTenantApiKey();
    const h = hashApiKey(k);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(h).not.toContain(k.slice(4));
    expect(sameKeyHash(h, hashApiKey(k))).toBe(true);
    expect(sameKeyHash(h, hashApiKey(`${k}x`))).toBe(false);
    expect(sameKeyHash(h, 'not hex')).toBe(false);
  });
});
