import { ChangeNotices } from '../platform/database/change-notices';
import { Transactions } from '../platform/database/transactions';
import type { SecretCipher } from '@app/common';
import type { DataSource } from 'typeorm';
import { repositorySpecDatabase } from '../../../../test/support/repository-database';
import { TenantsRepository } from '../tenants/tenants.repository';
import { AuthorizersRepository, type GrantRecord } from './authorizers.repository';

describe('AuthorizersRepository (on a cloned test database)', () => {
  let dataSource: DataSource;
  let cipher: SecretCipher;
  let authorizers: AuthorizersRepository;
  let tenants: TenantsRepository;
  let n = 0;

  const grant = (appId: string, over: Partial<GrantRecord> = {}): GrantRecord => ({
    appId,
    userName: 'gh_shop',
    nickName: 'Shop',
    principalName: 'Shop Ltd',
    serviceType: 2,
    verifyType: 0,
    verified: true,
    permissionSets: [1, 2],
    accessToken: 'access-plain',
    accessTokenExpiresAt: new Date(Date.now() + 7200_000),
    refreshToken: 'refresh-plain',
    ...over,
  });
  const tenant = async () => (await tenants.create({ name: 'T', externalId: null, apiKeyHash: `${++n}`.padStart(64, 'b') })).id;

  beforeAll(async () => {
    ({ dataSource, cipher } = await repositorySpecDatabase());
    authorizers = new AuthorizersRepository(dataSource, cipher, new ChangeNotices(dataSource));
    tenants = new TenantsRepository(dataSource, new ChangeNotices(dataSource));
  });
  afterAll(() => dataSource?.destroy());

  it('announces a change made in a transaction again once it commits (a read begun before the commit is not kept)', async () => {
    const t = await tenant();
    const notices = new ChangeNotices(dataSource);
    const heard: string[] = [];
    notices.subscribe((c) => heard.push(c === 'lost' ? 'lost' : `${c.table}:${c.tenantId}`));
    const repo = new AuthorizersRepository(dataSource, cipher, notices);
    const transactions = new Transactions(dataSource);
    try {
      let inside = 0;
      await transactions.run(async (m) => {
        await repo.upsertGrant(t, grant('wx-app-notice'), m);
        inside = heard.length;
      });
      expect(inside).toBe(1);
      expect(heard).toEqual([`authorizers:${t}`, `authorizers:${t}`]);
      await expect(
        transactions.run(async (m) => {
          await repo.updateInfo(t, 'wx-app-notice', { ...grant('wx-app-notice'), nickName: 'x' }, m);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      expect(heard).toHaveLength(3);
    } finally {
      transactions.onModuleDestroy();
    }
  });

  it('stores the grant sealed at rest and hands back plaintext', async () => {
    const t = await tenant();
    await dataSource.transaction((m) => authorizers.upsertGrant(t, grant('wx-app-1'), m));
    const [raw] = await dataSource.query(`SELECT access_token, refresh_token FROM authorizers WHERE tenant_id = $1`, [t]);
    expect(raw.access_token).not.toContain('access-plain');
    expect(cipher.decrypt(raw.refresh_token, { table: 'authorizers', column: 'refresh_token', row: t })).toBe('refresh-plain');
    expect(await authorizers.readWithTenant(t)).toMatchObject({
      tenantStatus: 'pending',
      appId: 'wx-app-1',
      verified: true,
      permissionSets: [1, 2],
      accessToken: 'access-plain',
      refreshToken: 'refresh-plain',
    });
    expect(await authorizers.tenantIdForAppId('wx-app-1')).toBe(t);
  });

  it('re-grants in place (authorized_at kept for the same account) and wipes tokens but keeps the binding', async () => {
    const t = await tenant();
    await dataSource.transaction((m) => authorizers.upsertGrant(t, grant('wx-app-2'), m));
    const [before] = await dataSource.query(`SELECT authorized_at FROM authorizers WHERE tenant_id = $1`, [t]);
    await dataSource.transaction((m) => authorizers.upsertGrant(t, grant('wx-app-2', { accessToken: 'second' }), m));
    const [after] = await dataSource.query(`SELECT authorized_at FROM authorizers WHERE tenant_id = $1`, [t]);
    expect(after.authorized_at).toEqual(before.authorized_at);
    expect((await authorizers.readWithTenant(t))!.accessToken).toBe('second');

    await dataSource.transaction((m) => authorizers.wipeTokens(t, m, { touch: true }));
    expect(await authorizers.readWithTenant(t)).toMatchObject({ appId: 'wx-app-2', accessToken: null, refreshToken: null });
  });

  it('sees an account bound to another live tenant, and not once that tenant is deleted', async () => {
    const a = await tenant();
    const b = await tenant();
    await dataSource.transaction((m) => authorizers.upsertGrant(a, grant('wx-app-3'), m));
    expect(await dataSource.transaction((m) => authorizers.boundToOtherTenant(b, 'wx-app-3', m))).toBe(true);
    expect(await dataSource.transaction((m) => authorizers.boundToOtherTenant(a, 'wx-app-3', m))).toBe(false);
    await dataSource.transaction(async (m) => {
      await tenants.softDelete(a, 'e'.repeat(64), m);
      await authorizers.deleteForTenant(a, m);
    });
    expect(await authorizers.tenantIdForAppId('wx-app-3')).toBeUndefined();
  });
});
