import type { DataSource } from 'typeorm';
import { repositorySpecDatabase } from '../../../../test/support/repository-database';
import type { TenantId } from '../tenants/tenant-id';
import { WebOAuthRepository } from './web-oauth.repository';

// Repository tier: web_oauth_states and web_oauth_tickets on a real, migrated database (single
// use under concurrency, tenant scoping, expiry, housekeeping).

describe('WebOAuthRepository', () => {
  let ds: DataSource;
  let repo: WebOAuthRepository;

  beforeAll(async () => {
    ({ dataSource: ds } = await repositorySpecDatabase());
    repo = new WebOAuthRepository(ds);
  });
  afterAll(() => ds.destroy());

  async function newTenant(): Promise<TenantId> {
    const rows: { id: TenantId }[] = await ds.query(
      `INSERT INTO tenants (name, status, api_key_hash) VALUES ('repo spec', 'active', md5(random()::text) || md5(random()::text)) RETURNING id`,
    );
    return rows[0].id;
  }
  const hash = (c: string) => c.repeat(64).slice(0, 64);
  const identity = { appId: 'wx_a', openid: 'o_1', unionid: null, scope: 'snsapi_base' as const, userInfo: null };

  it('a state is claimed once, however many claim it at the same time', async () => {
    const t = await newTenant();
    await repo.createState(t, hash('a'), { scope: 'snsapi_userinfo', returnUrl: 'https://h5.example/m', callerState: 's' }, 600);
    const claims = await Promise.all(Array.from({ length: 8 }, () => repo.claimState(hash('a'))));
    expect(claims.filter(Boolean)).toEqual([
      { tenantId: t, scope: 'snsapi_userinfo', returnUrl: 'https://h5.example/m', callerState: 's' },
    ]);
    expect(await repo.claimState(hash('b'))).toBeUndefined();
  });

  it('an expired state cannot be claimed', async () => {
    const t = await newTenant();
    await repo.createState(t, hash('c'), { scope: 'snsapi_base', returnUrl: 'https://h5.example/', callerState: null }, 600);
    await ds.query(`UPDATE web_oauth_states SET expires_at = now() - interval '1 second' WHERE nonce_hash = $1`, [hash('c')]);
    expect(await repo.claimState(hash('c'))).toBeUndefined();
  });

  it('a ticket redeems once, for its own tenant only; another tenant’s attempt leaves it redeemable', async () => {
    const [t, other] = [await newTenant(), await newTenant()];
    await repo.createTicket(t, hash('d'), { ...identity, userInfo: { nickname: '小明' } }, 60);
    expect(await repo.redeemTicket(other, hash('d'))).toBeUndefined();
    const redeemed = await Promise.all([repo.redeemTicket(t, hash('d')), repo.redeemTicket(t, hash('d'))]);
    expect(redeemed.filter(Boolean)).toEqual([{ ...identity, userInfo: { nickname: '小明' } }]);
  });

  it('housekeeping deletes states and tickets that lapsed over a day ago, and nothing else', async () => {
    const t = await newTenant();
    await repo.createState(t, hash('e'), { scope: 'snsapi_base', returnUrl: 'https://h5.example/', callerState: null }, 600);
    await repo.createTicket(t, hash('f'), identity, 60);
    await repo.createTicket(t, hash('g'), identity, 60);
    await ds.query(`UPDATE web_oauth_states SET expires_at = now() - interval '2 days' WHERE nonce_hash = $1`, [hash('e')]);
    await ds.query(`UPDATE web_oauth_tickets SET expires_at = now() - interval '2 days' WHERE ticket_hash = $1`, [hash('f')]);
    expect(await repo.deleteLapsed()).toBe(2);
    expect(await repo.redeemTicket(t, hash('g'))).toEqual(identity);
  });
});
