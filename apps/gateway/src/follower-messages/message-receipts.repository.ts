import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { preparedSql, sql } from '../platform/database/sql';

export type ReceiptClaim = { first: true } | { first: false; answer: string };

/** wechat_message_receipts: which account messages were accepted, and what WeChat was answered. */
@Injectable()
export class MessageReceiptsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Records the first delivery of a message with its answer; for a retry returns the stored
   * answer. A concurrent first delivery on another instance holds the key until it commits, so
   * the retry waits for it and then reads what it answered.
   */
  async claim(m: EntityManager, appId: string, messageKey: string, answer: string): Promise<ReceiptClaim> {
    const inserted = await preparedSql(
      m,
      'message_receipts_claim',
      `INSERT INTO wechat_message_receipts (app_id, message_key, answer) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [appId, messageKey, answer],
    );
    if (inserted.rows.length > 0) return { first: true };
    const { rows } = await preparedSql<{ answer: string }>(
      m,
      'message_receipts_answer',
      `SELECT answer FROM wechat_message_receipts WHERE app_id = $1 AND message_key = $2`,
      [appId, messageKey],
    );
    return { first: false, answer: rows[0]?.answer ?? answer };
  }

  /** Retention: up to `limit` receipts older than `days` (oldest first, by the received_at index). */
  async deleteOlderThan(days: number, limit: number): Promise<number> {
    const { count } = await sql(
      this.dataSource,
      `DELETE FROM wechat_message_receipts WHERE ctid = ANY(ARRAY(
         SELECT ctid FROM wechat_message_receipts WHERE received_at < now() - make_interval(days => $1)
          ORDER BY received_at LIMIT $2))`,
      [days, limit],
    );
    return count;
  }
}
