import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { sql } from '../platform/database/sql';

/** WeChat's daily quotas reset at midnight China Standard Time; so do our counts. */
const TODAY = `(now() AT TIME ZONE 'Asia/Shanghai')::date`;

/** component_api_calls: the component's own WeChat calls, counted per China-time day and API, across instances. */
@Injectable()
export class ComponentApiCallsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Counts one call if today's count is under `budget`; the new count, or undefined when the budget is spent. */
  async spend(api: string, budget: number): Promise<number | undefined> {
    const { rows } = await sql<{ calls: number }>(
      this.dataSource,
      `INSERT INTO component_api_calls AS c (day, api, calls) SELECT ${TODAY}, $1, 1 WHERE $2::int > 0
       ON CONFLICT (day, api) DO UPDATE SET calls = c.calls + 1 WHERE c.calls < $2::int
       RETURNING calls`,
      [api, budget],
    );
    return rows[0]?.calls;
  }

  async today(): Promise<Map<string, number>> {
    const { rows } = await sql<{ api: string; calls: number }>(
      this.dataSource,
      `SELECT api, calls FROM component_api_calls WHERE day = ${TODAY}`,
    );
    return new Map(rows.map((r) => [r.api, r.calls]));
  }

  /** Retention: up to `limit` counts of China-time days more than `days` ago. */
  async deleteOlderThan(days: number, limit: number): Promise<number> {
    const { count } = await sql(
      this.dataSource,
      `DELETE FROM component_api_calls WHERE (day, api) IN (
         SELECT day, api FROM component_api_calls WHERE day < ${TODAY} - $1::int ORDER BY day LIMIT $2)`,
      [days, limit],
    );
    return count;
  }
}
