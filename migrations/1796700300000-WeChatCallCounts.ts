import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * WeChat calls per hour, API and outcome, across instances: what the console's 24-hour chart
 * draws. Kept two days (wechat-call-counts-sweep deletes older hours).
 */
export class WeChatCallCounts1796700300000 implements MigrationInterface {
  name = 'WeChatCallCounts1796700300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE wechat_call_counts (
        hour timestamptz(0) NOT NULL,
        api varchar(64) NOT NULL,
        outcome varchar(32) NOT NULL,
        calls integer NOT NULL DEFAULT 0,
        CONSTRAINT wechat_call_counts_pkey PRIMARY KEY (hour, api, outcome)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE wechat_call_counts`);
  }
}
