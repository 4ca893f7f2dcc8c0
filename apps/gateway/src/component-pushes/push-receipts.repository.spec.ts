import type { DataSource } from 'typeorm';
import { repositorySpecDatabase } from '../../../../test/support/repository-database';
import { PushReceiptsRepository } from './push-receipts.repository';

describe('PushReceiptsRepository (on a cloned test database)', () => {
  let dataSource: DataSource;
  let receipts: PushReceiptsRepository;
  const receipt = { signature: 'a'.repeat(40), timestamp: '1700000000', nonce: 'n1' };

  beforeAll(async () => {
    ({ dataSource } = await repositorySpecDatabase());
    receipts = new PushReceiptsRepository(dataSource);
  });
  afterAll(() => dataSource?.destroy());

  it('records the first receipt and refuses a replay until it is forgotten', async () => {
    expect(await receipts.recordFirst(receipt, 'component_verify_ticket')).toBe(true);
    expect(await receipts.recordFirst(receipt, 'component_verify_ticket')).toBe(false);
    await receipts.forget(receipt);
    expect(await receipts.recordFirst(receipt, 'component_verify_ticket')).toBe(true);
  });

  it('housekeeping removes only receipts older than a day', async () => {
    const old = { ...receipt, nonce: 'old' };
    await receipts.recordFirst(old, null);
    await dataSource.query(`UPDATE component_push_receipts SET received_at = now() - interval '2 days' WHERE nonce = 'old'`);
    expect(await receipts.deleteOlderThanOneDay()).toBe(1);
    expect(await receipts.recordFirst(receipt, null)).toBe(false);
  });
});
