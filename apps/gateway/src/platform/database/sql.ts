import type { Pool, PoolClient, QueryResult } from 'pg';
import { DataSource, type EntityManager, QueryFailedError, type QueryRunner } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

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
  if (on instanceof DataSource && on.isInitialized) return pooled<T>(on, text, params);
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

/**
 * A statement PostgreSQL parses and plans once per connection (pg's named prepared statement)
 * instead of on every call: for the hottest statements, whose text must then not vary (pass
 * lists as arrays and `unnest` them). `name` is unique per text. Inside a transaction pass its
 * EntityManager: the statement runs on the transaction's own connection.
 */
export async function preparedSql<T = Record<string, unknown>>(
  on: DataSource | EntityManager,
  name: string,
  text: string,
  params: unknown[],
): Promise<SqlResult<T>> {
  if (on instanceof DataSource) {
    if (!on.isInitialized) return sql<T>(on, text, params);
    return pooled<T>(on, text, params, name);
  }
  const client = (on.queryRunner as { databaseConnection?: PoolClient } | undefined)?.databaseConnection;
  // Only a transaction's runner holds its connection; anything else takes the ordinary path.
  if (!on.queryRunner?.isTransactionActive || !client) return sql<T>(on, text, params);
  return answer<T>(client, text, params, name);
}

/**
 * Outside a transaction, straight to the pool TypeORM holds (pg's pool.query borrows and returns a
 * client) instead of a QueryRunner per statement, with its broadcaster and result objects: TypeORM
 * was a quarter of what a bulk job allocated per chunk. Errors are wrapped as TypeORM wraps them.
 */
async function pooled<T>(dataSource: DataSource, text: string, params: unknown[], name?: string): Promise<SqlResult<T>> {
  return answer<T>((dataSource.driver as PostgresDriver).master as Pool, text, params, name);
}

async function answer<T>(on: Pool | PoolClient, text: string, params: unknown[], name?: string): Promise<SqlResult<T>> {
  let result: QueryResult | QueryResult[];
  try {
    result = await (name ? on.query({ name, text, values: params }) : on.query(text, params));
  } catch (e) {
    throw new QueryFailedError(text, params, e as Error);
  }
  // Several statements in one text (no parameters) answer a list; TypeORM returned no rows then either.
  if (Array.isArray(result)) return { rows: [], count: 0 };
  return { rows: (result.rows ?? []) as T[], count: result.rowCount ?? 0 };
}
