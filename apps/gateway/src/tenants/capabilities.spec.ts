import { apiReadiness, blacklistReadiness } from './capabilities';

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

describe('api readiness (the same rule for any path of the table)', () => {
  const menus = { permissionSets: [15], verifiedOnly: false };
  const ungated = { permissionSets: [], verifiedOnly: false };

  it('asks for verification only where the API is verified-only, and keeps the order', () => {
    expect(apiReadiness('active', false, [15], [menus])).toEqual({ available: true, missingPermissionSets: [] });
    expect(apiReadiness('active', false, [1], [menus])).toEqual({
      available: false,
      reason: 'permission_set_missing',
      missingPermissionSets: [15],
    });
    expect(apiReadiness('revoked', false, [1], [menus])).toMatchObject({ reason: 'not_active', missingPermissionSets: [15] });
  });

  it('a requirement without sets needs only an active tenant', () => {
    expect(apiReadiness('active', false, [], [ungated]).available).toBe(true);
    expect(apiReadiness('pending', true, [], [ungated]).reason).toBe('not_active');
  });
});
