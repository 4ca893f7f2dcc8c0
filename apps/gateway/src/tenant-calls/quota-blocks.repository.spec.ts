import { ChangeNotices } from '../platform/database/change-notices';
import type { DataSource } from 'typeorm';
import { repositorySpecDatabase } from '../../../../test/support/repository-database';
import type { TenantId } from '../tenants/tenant-id';
import { QuotaBlocksRepository } from './quota-blocks.repository';

// Repository tier: wechat_quota_blocks on a real, migrated database (upsert, expiry, housekeeping).

const inMs = (ms: number) => new Date(Date.now() + ms);

describe('QuotaBlocksRepository', () => {
  let ds: DataSource;
  let repo: QuotaBlocksRepository;

  beforeAll(async () => {
    ({ dataSource: ds } = await repositorySpecDatabase());
    repo = new QuotaBlocksRepository(ds, new ChangeNotices(ds));
  });
  afterAll(() => ds.destroy());

  async function newTenant(): Promise<TenantId> {
    const rows: { id: TenantId }[] = await ds.query(
      `INSERT INTO tenants (name, status, api_key_hash) VALUES ('repo spec', 'active', md5(random()::text) || md5(random()::text)) RETURNING id`,
    );
    return rows[0].id;
  }

  it('block upserts per tenant and API, keeping the later end', async () => {
    const t = await newTenant();
    const later = inMs(3_600_000);
    expect((await repo.block(t, 'batchblacklist', later)).getTime()).toBe(later.getTime());
    expect((await repo.block(t, 'batchblacklist', inMs(60_000))).getTime()).toBe(later.getTime());
    const latest = inMs(7_200_000);
    expect((await repo.block(t, 'batchblacklist', latest)).getTime()).toBe(latest.getTime());
    expect((await repo.blockedUntil(t, 'batchblacklist'))?.getTime()).toBe(latest.getTime());
    expect(await repo.blockedUntil(t, 'getblacklist')).toBeUndefined();
    expect(await repo.blockedUntil(await newTenant(), 'batchblacklist')).toBeUndefined();
  });

  it('a block that has lifted no longer counts, and a new one replaces it', async () => {
    const t = await newTenant();
    await repo.block(t, 'getblacklist', inMs(50));
    await new Promise((r) => setTimeout(r, 100));
    expect(await repo.blockedUntil(t, 'getblacklist')).toBeUndefined();
    const next = inMs(60_000);
    expect((await repo.block(t, 'getblacklist', next)).getTime()).toBe(next.getTime());
    expect((await repo.blockedUntil(t, 'getblacklist'))?.getTime()).toBe(next.getTime());
  });

  it('housekeeping deletes blocks lifted more than a day ago, of every tenant, and nothing else', async () => {
    const [t1, t2] = [await newTenant(), await newTenant()];
    await repo.block(t1, 'batchblacklist', inMs(-2 * 86_400_000));
    await repo.block(t2, 'batchblacklist', inMs(-2 * 86_400_000));
    await repo.block(t2, 'batchunblacklist', inMs(-3_600_000));
    expect(await repo.deleteLapsed()).toBe(2);
    const left: { api: string }[] = await ds.query(`SELECT api FROM wechat_quota_blocks WHERE tenant_id = ANY($1::uuid[])`, [
      [t1, t2],
    ]);
    expect(left.map((r) => r.api)).toEqual(['batchunblacklist']);
  });
});
