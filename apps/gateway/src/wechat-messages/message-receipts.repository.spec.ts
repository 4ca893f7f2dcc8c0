import type { DataSource } from 'typeorm';
import { repositorySpecDatabase } from '../../../../test/support/repository-database';
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

  it('housekeeping removes only receipts older than a day', async () => {
    await claim('wxa', 'msg:old', 'success');
    await dataSource.query(
      `UPDATE wechat_message_receipts SET received_at = now() - interval '2 days' WHERE message_key = 'msg:old'`,
    );
    expect(await receipts.deleteOlderThanOneDay()).toBe(1);
    expect(await claim('wxa', 'msg:1', 'success')).toEqual({ first: false, answer: 'success' });
  });
});
