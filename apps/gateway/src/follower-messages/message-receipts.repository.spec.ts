import type { DataSource } from 'typeorm';
import { repositorySpecDatabase } from '../../../../test/support/repository-database';
import type { TenantId } from '../tenants/tenant-id';
import { MessageReceiptsRepository } from './message-receipts.repository';

describe('MessageReceiptsRepository (on a cloned test database)', () => {
  let dataSource: DataSource;
  let receipts: MessageReceiptsRepository;

  beforeAll(async () => {
    ({ dataSource } = await repositorySpecDatabase());
    receipts = new MessageReceiptsRepository(dataSource);
  });
  afterAll(() => dataSource?.destroy());

  const claim = (appId: string, key: string, answer: string) =>
    dataSource.transaction((m) => receipts.claim(m, appId, key, answer));

  it('the first delivery claims the key; a retry gets the stored answer, per account', async () => {
    expect(await claim('wxa', 'msg:1', 'success')).toEqual({ first: true });
    expect(await claim('wxa', 'msg:1', 'something else')).toEqual({ first: false, answer: 'success' });
    expect(await claim('wxb', 'msg:1', 'success')).toEqual({ first: true });
  });

  it("claimForTenant stores a message only while the account's active tenant is the one named, in the same statement", async () => {
    const tenant = async (status: string) =>
      (
        await dataSource.query(
          `INSERT INTO tenants (name, api_key_hash, status) VALUES ('T', md5(random()::text) || md5(random()::text), $1) RETURNING id`,
          [status],
        )
      )[0].id as TenantId;
    const [a, b] = [await tenant('active'), await tenant('active')];
    await dataSource.query(`INSERT INTO authorizers (tenant_id, app_id) VALUES ($1, 'wxheld')`, [a]);
    const forTenant = (t: TenantId, key: string) =>
      dataSource.transaction((m) => receipts.claimForTenant(m, t, 'wxheld', key, 'success'));
    expect(await forTenant(a, 'msg:t1')).toEqual({ first: true });
    expect(await forTenant(a, 'msg:t1')).toEqual({ first: false, answer: 'success' });
    // Another tenant, or the right one once revoked: nothing stored.
    expect(await forTenant(b, 'msg:t2')).toBe('not-for-tenant');
    await dataSource.query(`UPDATE tenants SET status = 'revoked' WHERE id = $1`, [a]);
    expect(await forTenant(a, 'msg:t3')).toBe('not-for-tenant');
    expect(await claim('wxheld', 'msg:t2', 'success')).toEqual({ first: true });
  });

  it('a claim rolled back with its transaction leaves the key free', async () => {
    await expect(
      dataSource.transaction(async (m) => {
        await receipts.claim(m, 'wxa', 'msg:rolled-back', 'success');
        throw new Error('publish failed');
      }),
    ).rejects.toThrow('publish failed');
    expect(await claim('wxa', 'msg:rolled-back', 'success')).toEqual({ first: true });
  });

  it('a concurrent retry waits for the first delivery to commit, then reads its answer', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = dataSource.transaction(async (m) => {
      const c = await receipts.claim(m, 'wxa', 'msg:concurrent', 'first answer');
      await held;
      return c;
    });
    await new Promise((r) => setTimeout(r, 50));
    const retry = claim('wxa', 'msg:concurrent', 'second answer');
    await new Promise((r) => setTimeout(r, 50));
    release();
    expect(await first).toEqual({ first: true });
    expect(await retry).toEqual({ first: false, answer: 'first answer' });
  });

  it('retention removes receipts older than the given days, at most `limit` at a time; younger ones stay', async () => {
    for (const [key, age] of [
      ['msg:old-1', '4 days'],
      ['msg:old-2', '5 days'],
      ['msg:old-3', '6 days'],
      ['msg:young', '2 days 23 hours'],
    ]) {
      await claim('wxr', key, 'success');
      await dataSource.query(`UPDATE wechat_message_receipts SET received_at = now() - $2::interval WHERE message_key = $1`, [
        key,
        age,
      ]);
    }
    expect(await receipts.deleteOlderThan(3, 2)).toBe(2);
    expect(await receipts.deleteOlderThan(3, 2)).toBe(1);
    expect(await receipts.deleteOlderThan(3, 2)).toBe(0);
    const left: { message_key: string }[] = await dataSource.query(
      `SELECT message_key FROM wechat_message_receipts WHERE app_id = 'wxr'`,
    );
    expect(left.map((r) => r.message_key)).toEqual(['msg:young']);
    expect(await claim('wxa', 'msg:1', 'success')).toEqual({ first: false, answer: 'success' });
  });
});
