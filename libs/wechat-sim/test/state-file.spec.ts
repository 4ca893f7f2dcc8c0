import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWeChatSimulator } from '../src';
import { COMPONENT, startHarness } from './support';

/** With a state file, a restarted simulator knows the accounts, grants, blacklists and tokens it issued. */
describe('simulator state file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wtg-sim-state-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const followers = Array.from({ length: 5 }, (_, i) => `o_keep_${i}`);

  it('a restart keeps accounts, followers, blacklists, the grant and the tokens issued', async () => {
    const stateFile = join(dir, 'state.json');
    const first = await startHarness({ stateFile });
    const oa = await first.onboard({ appId: 'wx_keep01', followers, permissionSets: [1, 2, 15] });
    const componentToken = await first.componentToken();
    expect(
      await first.call('tags/members/batchblacklist', { openid_list: followers.slice(0, 2) }, { access_token: oa.accessToken }),
    ).toEqual({ errcode: 0, errmsg: 'ok' });
    await first.close();

    const second = await startHarness({ stateFile });
    try {
      const account = second.sim.getAuthorizer('wx_keep01');
      expect(account.followers).toEqual(followers);
      expect(account.blacklist).toEqual(followers.slice(0, 2));
      expect(account.authorization).toMatchObject({ status: 'authorized', permissionSets: [1, 2, 15] });
      // The access token the gateway holds still works, and so does its refresh token.
      const list = await second.call('tags/members/getblacklist', {}, { access_token: oa.accessToken });
      expect(list).toMatchObject({ total: 2 });
      const refreshed = await second.call(
        'component/api_authorizer_token',
        { component_appid: COMPONENT.componentAppId, authorizer_appid: 'wx_keep01', authorizer_refresh_token: oa.refreshToken },
        { component_access_token: componentToken },
      );
      expect(refreshed.authorizer_access_token).toEqual(expect.any(String));
    } finally {
      await second.close();
    }
  });

  it('without a state file a restart starts empty (the standalone default)', async () => {
    const first = await startHarness();
    await first.onboard({ appId: 'wx_mem01', followers });
    await first.close();
    const second = await startHarness();
    try {
      expect(() => second.sim.getAuthorizer('wx_mem01')).toThrow();
    } finally {
      await second.close();
    }
  });

  it('a state file that is not JSON stops the start with its path', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    await expect(startWeChatSimulator({ ...COMPONENT, port: 0, stateFile: bad })).rejects.toThrow(/bad\.json is not valid JSON/);
  });
});
