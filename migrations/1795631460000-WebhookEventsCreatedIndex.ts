import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The webhook retention sweep finds old events by when they were published. Built concurrently
 * (outside a transaction) so a large outbox keeps taking events while the index is built.
 */
export class WebhookEventsCreatedIndex1795631460000 implements MigrationInterface {
  name = 'WebhookEventsCreatedIndex1795631460000';
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS webhook_events_created_idx ON webhook_events (created_at)`);
  }

  // TypeORM reverts inside a transaction whatever the flag says: a plain DROP INDEX (brief, rare).
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS webhook_events_created_idx`);
  }
}
