import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per Official Account message or event accepted at the message URL, keyed by the
 * account and the message's identity, with the answer WeChat got: its retries (and a retry that
 * reaches another instance) get the same answer and are not forwarded again.
 */
export class MessageReceipts1795630400000 implements MigrationInterface {
  name = 'MessageReceipts1795630400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE wechat_message_receipts (
        app_id varchar(64) NOT NULL,
        message_key varchar(128) NOT NULL,
        answer text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT wechat_message_receipts_pkey PRIMARY KEY (app_id, message_key)
      )`);
    await q.query(`CREATE INDEX wechat_message_receipts_received_idx ON wechat_message_receipts (received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE wechat_message_receipts`);
  }
}
