import { API_PATH_RULES, apiPathRule, apiRule, isWeChatApiPath } from './proxy-paths';

describe('API path rules', () => {
  it.each([
    ['cgi-bin/message/custom/send', [1, 54]],
    ['cgi-bin/user/info', [2]],
    ['cgi-bin/tags/create', [2]],
    ['cgi-bin/tags/members/batchblacklist', [2, 100]],
    ['cgi-bin/menu/create', [15]],
    ['cgi-bin/media/upload', [11]],
    ['cgi-bin/material/add_news', [11]],
    ['cgi-bin/message/mass/sendall', [7]],
    ['cgi-bin/message/template/send', [7]],
    ['cgi-bin/qrcode/create', [3]],
  ])('%s needs any of %j', (path, sets) => {
    expect(apiPathRule(path)?.permissionSets).toEqual(sets);
  });

  it('marks reads idempotent and writes not', () => {
    for (const read of ['cgi-bin/user/info', 'cgi-bin/user/get', 'cgi-bin/menu/get', 'cgi-bin/tags/members/getblacklist']) {
      expect(apiPathRule(read)?.idempotent).toBe(true);
    }
    for (const write of [
      'cgi-bin/message/custom/send',
      'cgi-bin/menu/create',
      'cgi-bin/media/upload',
      'cgi-bin/user/info/updateremark',
    ]) {
      expect(apiPathRule(write)?.idempotent).toBe(false);
    }
  });

  it('an exact entry matches only itself', () => {
    expect(apiPathRule('cgi-bin/menu/get')?.prefix).toBe('cgi-bin/menu/get');
    expect(apiPathRule('cgi-bin/menu/getx')?.prefix).toBe('cgi-bin/menu/');
    expect(apiPathRule('cgi-bin/user/info/updateremark')?.prefix).toBe('cgi-bin/user/');
  });

  it('only the blacklist paths are verified-only, with the typed API they stand for', () => {
    expect(API_PATH_RULES.filter((r) => r.verifiedOnly).map((r) => r.api)).toEqual([
      'getblacklist',
      'batchblacklist',
      'batchunblacklist',
    ]);
    expect(apiRule('batchblacklist')).toMatchObject({ permissionSets: [2, 100], verifiedOnly: true });
  });

  it('refuses unlisted paths unless an extra prefix allows them (ungated, not idempotent)', () => {
    expect(apiPathRule('cgi-bin/shorturl')).toBeUndefined();
    expect(apiPathRule('wxa/getwxacode')).toBeUndefined();
    const extra = ['cgi-bin/shorturl', 'wxa/'];
    expect(apiPathRule('cgi-bin/shorturl', extra)).toMatchObject({ permissionSets: [], idempotent: false, verifiedOnly: false });
    expect(apiPathRule('wxa/getwxacode', extra)?.prefix).toBe('wxa/');
    expect(apiPathRule('cgi-bin/component/api_component_token', extra)).toBeUndefined();
  });

  it.each([
    '',
    'cgi-bin',
    '/cgi-bin/user/info',
    'cgi-bin//user',
    'cgi-bin/../component/x',
    'cgi-bin/user/info?x=1',
    `cgi-bin/${'a'.repeat(130)}`,
  ])('%j is not an API path', (path) => {
    expect(isWeChatApiPath(path)).toBe(false);
    expect(apiPathRule(path, [''])).toBeUndefined();
  });
});
