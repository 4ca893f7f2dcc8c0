import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';

export interface SqlResult<T> {
  rows: T[];
  /** Rows an INSERT/UPDATE/DELETE touched. */
  count: number;
}

/**
 * Raw SQL with one result shape whatever the statement (TypeORM's `query()` returns
 * `[rows, count]` for UPDATE/DELETE but plain rows otherwise). Used where the ORM would be
 * slow or unclear: bulk inserts, SKIP LOCKED claims, counters. Inside a transaction pass its
 * EntityManager; otherwise the DataSource (a pooled connection is borrowed and returned).
 */
export async function sql<T = Record<string, unknown>>(
  on: DataSource | EntityManager,
  text: string,
  params: unknown[] = [],
): Promise<SqlResult<T>> {
  const dataSource = on instanceof DataSource ? on : on.dataSource;
  const given = on instanceof DataSource ? undefined : on.queryRunner;
  const runner: QueryRunner = given ?? dataSource.createQueryRunner();
  try {
    const result = await runner.query(text, params, true);
    return { rows: (result.records ?? []) as T[], count: result.affected ?? 0 };
  } finally {
    if (!given) await runner.release();
  }
}
