import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { accountActiveForTenantSql } from '../authorizers/authorizers.repository';
import { preparedSql, sql } from '../platform/database/sql';
import type { TenantId } from '../tenants/tenant-id';

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
    return { first: false, answer: (await this.storedAnswer(m, appId, messageKey)) ?? answer };
  }

  /**
   * claim, for a message forwarded to `tenantId`: recorded only while the account's active tenant
   * is `tenantId` (accountActiveForTenantSql), checked in the same statement. 'not-for-tenant'
   * when it is not (and no earlier delivery was recorded).
   */
  async claimForTenant(
    m: EntityManager,
    tenantId: TenantId,
    appId: string,
    messageKey: string,
    answer: string,
  ): Promise<ReceiptClaim | 'not-for-tenant'> {
    const inserted = await preparedSql(
      m,
      'message_receipts_claim_for_tenant',
      `INSERT INTO wechat_message_receipts (app_id, message_key, answer)
       SELECT $1::varchar, $2::varchar, $3::text WHERE ${accountActiveForTenantSql('$1::varchar', '$4::uuid')}
       ON CONFLICT DO NOTHING RETURNING 1`,
      [appId, messageKey, answer, tenantId],
    );
    if (inserted.rows.length > 0) return { first: true };
    const stored = await this.storedAnswer(m, appId, messageKey);
    return stored === undefined ? 'not-for-tenant' : { first: false, answer: stored };
  }

  private async storedAnswer(m: EntityManager, appId: string, messageKey: string): Promise<string | undefined> {
    const { rows } = await preparedSql<{ answer: string }>(
      m,
      'message_receipts_answer',
      `SELECT answer FROM wechat_message_receipts WHERE app_id = $1 AND message_key = $2`,
      [appId, messageKey],
    );
    return rows[0]?.answer;
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
