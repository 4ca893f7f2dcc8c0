import type { DataSource } from 'typeorm';
import { repositorySpecDatabase } from '../../../../../test/support/repository-database';
import { preparedSql, sql } from './sql';

describe('preparedSql (on a cloned test database)', () => {
  let dataSource: DataSource;
  beforeAll(async () => {
    ({ dataSource } = await repositorySpecDatabase());
    await sql(dataSource, `CREATE TABLE prepared_probe (n int PRIMARY KEY)`);
  });
  afterAll(() => dataSource?.destroy());

  const insert = (on: Parameters<typeof preparedSql>[0], n: number) =>
    preparedSql(on, 'prepared_probe_insert', `INSERT INTO prepared_probe (n) VALUES ($1) RETURNING n`, [n]);
  const count = (on: Parameters<typeof preparedSql>[0]) =>
    preparedSql<{ c: number }>(on, 'prepared_probe_count', `SELECT count(*)::int AS c FROM prepared_probe`, []);

  it('inside a transaction runs on its connection: it sees the transaction’s own rows, and a rollback undoes its writes', async () => {
    await expect(
      dataSource.transaction(async (m) => {
        await insert(m, 1);
        // Another connection does not see the uncommitted row; the transaction's does.
        expect((await count(dataSource)).rows[0].c).toBe(0);
        expect((await count(m)).rows[0].c).toBe(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await count(dataSource)).rows[0].c).toBe(0);
  });

  it('commits with its transaction, reports rows and counts, and reuses its name on every connection', async () => {
    for (let n = 10; n < 20; n++) {
      await dataSource.transaction(async (m) => {
        const r = await insert(m, n);
        expect(r).toEqual({ rows: [{ n }], count: 1 });
      });
    }
    expect((await count(dataSource)).rows[0].c).toBe(10);
  });

  it('fails as TypeORM does (QueryFailedError), inside a transaction too', async () => {
    await dataSource
      .transaction(async (m) => {
        await expect(insert(m, 10)).rejects.toMatchObject({ name: 'QueryFailedError' });
      })
      .catch(() => undefined);
    await expect(insert(dataSource, 10)).rejects.toMatchObject({ name: 'QueryFailedError' });
  });
});
