import { blacklistReadiness } from './capabilities';

describe('blacklist readiness (permission table from libs/wechat)', () => {
  it('needs active, verified and set 2 or 100', () => {
    expect(blacklistReadiness('active', true, [2]).available).toBe(true);
    expect(blacklistReadiness('active', true, [1, 100]).available).toBe(true);
    expect(blacklistReadiness('active', true, [1, 15])).toEqual({
      available: false,
      reason: 'permission_set_missing',
      missingPermissionSets: [2, 100],
    });
    expect(blacklistReadiness('active', false, [2])).toMatchObject({ available: false, reason: 'not_verified' });
    for (const status of ['pending', 'revoked', 'reauthorization_required'] as const) {
      expect(blacklistReadiness(status, true, [2])).toMatchObject({ available: false, reason: 'not_active' });
    }
  });
});
