import {
  API_PERMISSION_SETS,
  isApiAllowed,
  missingPermissionSets,
  type OfficialAccountApi,
  PERMISSION_SET_NAMES,
  PERMISSION_SET_NAMES_ZH,
  requiredPermissionSets,
} from './permission-sets';

const BLACKLIST_APIS: OfficialAccountApi[] = ['getblacklist', 'batchblacklist', 'batchunblacklist'];

describe('permission sets', () => {
  it.each(BLACKLIST_APIS)('%s needs set 2 or set 100', (api) => {
    expect(requiredPermissionSets(api)).toEqual([2, 100]);
    expect(API_PERMISSION_SETS[api]).toEqual([2, 100]);
  });

  it.each(BLACKLIST_APIS)('%s: any one listed set is enough', (api) => {
    expect(isApiAllowed(api, [2])).toBe(true);
    expect(isApiAllowed(api, [100])).toBe(true);
    expect(isApiAllowed(api, [1, 15, 100])).toBe(true);
    expect(isApiAllowed(api, [])).toBe(false);
    expect(isApiAllowed(api, [1, 3, 4, 7, 11, 15, 24, 54, 89])).toBe(false);
  });

  it('missingPermissionSets lists the sets that would unlock the API, or nothing', () => {
    expect(missingPermissionSets('batchblacklist', [1, 15])).toEqual([2, 100]);
    expect(missingPermissionSets('batchblacklist', [100])).toEqual([]);
    expect(missingPermissionSets('getblacklist', [2])).toEqual([]);
  });

  it('the returned list cannot be used to alter the table', () => {
    const missing = missingPermissionSets('batchblacklist', []);
    missing.push(999);
    expect(requiredPermissionSets('batchblacklist')).toEqual([2, 100]);
    expect(Object.isFrozen(API_PERMISSION_SETS)).toBe(true);
    expect(Object.isFrozen(API_PERMISSION_SETS.batchblacklist)).toBe(true);
  });

  it('names the published sets and the unpublished blacklist set', () => {
    expect(PERMISSION_SET_NAMES).toEqual({
      1: 'messages',
      2: 'user management',
      3: 'account service',
      4: 'web service',
      7: 'mass send and notifications',
      11: 'media',
      15: 'menus',
      24: 'open-platform account management',
      54: 'service-account conversations',
      89: 'subscription notifications',
      100: 'blacklist (unpublished set)',
    });
  });

  it('names every set in Chinese as WeChat shows it (user management is 用户管理)', () => {
    expect(Object.keys(PERMISSION_SET_NAMES_ZH)).toEqual(Object.keys(PERMISSION_SET_NAMES));
    expect(PERMISSION_SET_NAMES_ZH[2]).toBe('用户管理');
    expect(PERMISSION_SET_NAMES_ZH[1]).toBe('消息管理');
  });

  it('every set an API requires has a name', () => {
    for (const sets of Object.values(API_PERMISSION_SETS)) {
      for (const set of sets) expect(PERMISSION_SET_NAMES[set]).toEqual(expect.any(String));
      for (const set of sets) expect(PERMISSION_SET_NAMES_ZH[set]).toEqual(expect.any(String));
    }
  });

  it('refuses an API it does not know instead of allowing it', () => {
    expect(() => isApiAllowed('sendmessage' as OfficialAccountApi, [2])).toThrow(TypeError);
  });
});

describe('customer-service messages', () => {
  it('message_custom_send needs set 1 (messages) or 54 (service-account conversations)', () => {
    expect(requiredPermissionSets('message_custom_send')).toEqual([1, 54]);
    expect(isApiAllowed('message_custom_send', [54])).toBe(true);
    expect(missingPermissionSets('message_custom_send', [2])).toEqual([1, 54]);
  });
});
