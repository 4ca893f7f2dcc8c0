import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { sql } from '../database/sql';

export interface WeChatCallCount {
  hour: Date;
  api: string;
  outcome: string;
  calls: number;
}

/** wechat_call_counts: WeChat calls per hour, API and outcome, added to by every instance. */
@Injectable()
export class WeChatCallCountsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Adds counts, one statement for the batch. */
  async add(counts: WeChatCallCount[]): Promise<void> {
    if (counts.length === 0) return;
    await sql(
      this.dataSource,
      `INSERT INTO wechat_call_counts AS c (hour, api, outcome, calls)
       SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::int[])
       ON CONFLICT (hour, api, outcome) DO UPDATE SET calls = c.calls + excluded.calls`,
      [counts.map((c) => c.hour), counts.map((c) => c.api), counts.map((c) => c.outcome), counts.map((c) => c.calls)],
    );
  }

  /** Hours older than two days: the chart shows one. */
  async deleteOld(): Promise<number> {
    const { count } = await sql(this.dataSource, `DELETE FROM wechat_call_counts WHERE hour < now() - interval '2 days'`);
    return count;
  }

  /** The last 24 hours (the current hour included), oldest first. */
  async lastDay(): Promise<WeChatCallCount[]> {
    const { rows } = await sql<WeChatCallCount>(
      this.dataSource,
      `SELECT hour, api, outcome, calls FROM wechat_call_counts
        WHERE hour > date_trunc('hour', now()) - interval '24 hours' ORDER BY hour, api, outcome`,
    );
    return rows;
  }
}
