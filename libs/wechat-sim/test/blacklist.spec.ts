import { startHarness, type Harness } from './support';

describe('Official Account blacklist APIs (contract section 3)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ authorizerTokenTtlSec: 7200 });
  });
  afterEach(() => h.close());

  const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);
  const batch = (token: string, openid_list: unknown, api = 'batchblacklist') =>
    h.call(`tags/members/${api}`, { openid_list }, { access_token: token });
  const get = (token: string, begin_openid?: string) =>
    h.call('tags/members/getblacklist', begin_openid === undefined ? {} : { begin_openid }, { access_token: token });

  it('blacklists and unblacklists up to 20 followers', async () => {
    const oa = await h.onboard({ appId: 'wx_bl', followers: ids('o_bl_', 30) });
    expect(await batch(oa.accessToken, ids('o_bl_', 20))).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(h.sim.getAuthorizer('wx_bl').blacklist).toEqual(ids('o_bl_', 20));
    expect(await batch(oa.accessToken, ['o_bl_000', 'o_bl_001'], 'batchunblacklist')).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(h.sim.getAuthorizer('wx_bl').blacklist).toEqual(ids('o_bl_', 20).slice(2));
  });

  it('more than 20 openids → 40032, nothing applied', async () => {
    const oa = await h.onboard({ appId: 'wx_bl32', followers: ids('o_32_', 30) });
    for (const api of ['batchblacklist', 'batchunblacklist']) {
      expect((await batch(oa.accessToken, ids('o_32_', 21), api)).errcode).toBe(40032);
    }
    expect(h.sim.getAuthorizer('wx_bl32').blacklist).toEqual([]);
  });

  it('one openid that is not a follower → 40003 for the whole batch, nothing applied', async () => {
    const oa = await h.onboard({ appId: 'wx_bl03', followers: ids('o_03_', 5) });
    const res = await batch(oa.accessToken, ['o_03_000', 'o_03_001', 'o_stranger', 'o_03_002']);
    expect(res.errcode).toBe(40003);
    expect(h.sim.getAuthorizer('wx_bl03').blacklist).toEqual([]);

    // Unblacklist is all-or-nothing too.
    await batch(oa.accessToken, ['o_03_000', 'o_03_001']);
    expect((await batch(oa.accessToken, ['o_03_000', 'o_nobody'], 'batchunblacklist')).errcode).toBe(40003);
    expect(h.sim.getAuthorizer('wx_bl03').blacklist).toEqual(['o_03_000', 'o_03_001']);
  });

  it("another account's follower is not this account's openid (40003)", async () => {
    const a = await h.onboard({ appId: 'wx_a', followers: ['o_a_1'] });
    await h.onboard({ appId: 'wx_b', followers: ['o_b_1'] });
    expect((await batch(a.accessToken, ['o_a_1', 'o_b_1'])).errcode).toBe(40003);
    expect(h.sim.getAuthorizer('wx_a').blacklist).toEqual([]);
    expect(h.sim.getAuthorizer('wx_b').blacklist).toEqual([]);
  });

  it('empty, missing or malformed openid_list → 40003', async () => {
    const oa = await h.onboard({ appId: 'wx_empty', followers: ['o_e_1'] });
    expect((await batch(oa.accessToken, [])).errcode).toBe(40003);
    expect((await batch(oa.accessToken, undefined)).errcode).toBe(40003);
    expect((await batch(oa.accessToken, 'o_e_1')).errcode).toBe(40003);
    expect((await batch(oa.accessToken, [42])).errcode).toBe(40003);
  });

  it('an unverified account → 48001', async () => {
    const oa = await h.onboard({ appId: 'wx_unverified', verified: false, followers: ['o_u_1'] });
    expect((await batch(oa.accessToken, ['o_u_1'])).errcode).toBe(48001);
    expect((await get(oa.accessToken)).errcode).toBe(48001);
    h.sim.updateAuthorizer('wx_unverified', { verifyType: 0 });
    expect((await batch(oa.accessToken, ['o_u_1'])).errcode).toBe(0);
  });

  it('neither permission set 2 nor 100 granted → 61007; set 100 alone is enough', async () => {
    const oa = await h.onboard({ appId: 'wx_noperm', permissionSets: [1, 15], followers: ['o_p_1'] });
    expect((await batch(oa.accessToken, ['o_p_1'])).errcode).toBe(61007);
    expect((await get(oa.accessToken)).errcode).toBe(61007);
    h.sim.updateAuthorizer('wx_noperm', { permissionSets: [100] });
    expect((await batch(oa.accessToken, ['o_p_1'])).errcode).toBe(0);
  });

  it('getblacklist pages by next_openid in a stable order; next_openid is empty at the end', async () => {
    h.sim.updateSettings({ blacklistPageSize: 3 });
    const followers = ids('o_pg_', 7);
    const oa = await h.onboard({ appId: 'wx_page', followers });
    h.sim.updateAuthorizer('wx_page', { blacklist: [...followers].reverse() });

    const p1 = await get(oa.accessToken, '');
    expect(p1).toEqual({ total: 7, count: 3, data: { openid: followers.slice(0, 3) }, next_openid: 'o_pg_002' });
    const p2 = await get(oa.accessToken, p1.next_openid);
    expect(p2).toEqual({ total: 7, count: 3, data: { openid: followers.slice(3, 6) }, next_openid: 'o_pg_005' });
    const p3 = await get(oa.accessToken, p2.next_openid);
    expect(p3).toEqual({ total: 7, count: 1, data: { openid: ['o_pg_006'] }, next_openid: '' });
    // The cursor survives its own openid leaving the blacklist between pages.
    await batch(oa.accessToken, ['o_pg_002'], 'batchunblacklist');
    expect((await get(oa.accessToken, 'o_pg_002')).data.openid).toEqual(['o_pg_003', 'o_pg_004', 'o_pg_005']);
    expect((await get(oa.accessToken, 'o_not_mine')).errcode).toBe(40003);
  });

  it('an empty blacklist answers count 0, no data, next_openid ""', async () => {
    const oa = await h.onboard({ appId: 'wx_none', followerCount: 3 });
    expect(await get(oa.accessToken)).toEqual({ total: 0, count: 0, next_openid: '' });
  });

  it('blacklistTrailingEmptyPage: the last full page keeps next_openid and one more call returns count 0', async () => {
    h.sim.updateSettings({ blacklistPageSize: 2, blacklistTrailingEmptyPage: true });
    const oa = await h.onboard({ appId: 'wx_trailing', followers: ['o_t_1', 'o_t_2'] });
    await batch(oa.accessToken, ['o_t_1', 'o_t_2']);
    const p1 = await get(oa.accessToken);
    expect(p1).toEqual({ total: 2, count: 2, data: { openid: ['o_t_1', 'o_t_2'] }, next_openid: 'o_t_2' });
    expect(await get(oa.accessToken, 'o_t_2')).toEqual({ total: 2, count: 0, next_openid: '' });
  });

  it('the default page size is 10,000 and generated followers page in order', async () => {
    const oa = await h.onboard({ appId: 'wx_big', followerCount: 10_050 });
    const all = h.sim.getAuthorizer('wx_big').followers!;
    h.sim.updateAuthorizer('wx_big', { blacklist: all });
    const p1 = await get(oa.accessToken);
    expect(p1.count).toBe(10_000);
    const p2 = await get(oa.accessToken, p1.next_openid);
    expect(p2.count).toBe(50);
    expect(p2.next_openid).toBe('');
    expect([...p1.data.openid, ...p2.data.openid]).toEqual([...all].sort());
  });

  describe('access tokens (contract section 5)', () => {
    it('missing → 41001, unknown → 40001, a component token → 40001, expired → 42001', async () => {
      const oa = await h.onboard({ appId: 'wx_tok', followers: ['o_k_1'] });
      expect((await h.call('tags/members/batchblacklist', { openid_list: ['o_k_1'] })).errcode).toBe(41001);
      expect((await batch('not-a-token', ['o_k_1'])).errcode).toBe(40001);
      expect((await batch(await h.componentToken(), ['o_k_1'])).errcode).toBe(40001);
      h.clock.advanceSec(7199);
      expect((await batch(oa.accessToken, ['o_k_1'])).errcode).toBe(0);
      h.clock.advanceSec(1);
      expect((await batch(oa.accessToken, ['o_k_1'])).errcode).toBe(42001);
    });

    it("another account's token acts on that account only", async () => {
      await h.onboard({ appId: 'wx_t1', followers: ['o_t1'] });
      const b = await h.onboard({ appId: 'wx_t2', followers: ['o_t2'] });
      expect((await batch(b.accessToken, ['o_t1'])).errcode).toBe(40003);
      expect((await batch(b.accessToken, ['o_t2'])).errcode).toBe(0);
      expect(h.sim.getAuthorizer('wx_t1').blacklist).toEqual([]);
    });

    it('control expire-tokens makes live tokens answer 42001', async () => {
      const oa = await h.onboard({ appId: 'wx_exp', followers: ['o_x_1'] });
      expect(h.sim.expireTokens({ kind: 'authorizer', appId: 'wx_exp' })).toBe(1);
      expect((await batch(oa.accessToken, ['o_x_1'])).errcode).toBe(42001);
    });
  });
});
