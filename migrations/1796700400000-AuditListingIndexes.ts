import type { MigrationInterface, QueryRunner } from 'typeorm';

const INDEXES: [name: string, definition: string][] = [
  ['audit_events_action_idx', 'audit_events (action, seq)'],
  ['audit_events_at_idx', 'audit_events (at)'],
];

/**
 * The operator's listing across tenants narrows by action and by time. Without these it walks the
 * trail newest first until it has a page, which for a rare action or a recent `since` is the whole
 * trail (kept for ever unless RETENTION_AUDIT_DAYS is set). Built concurrently, outside a
 * transaction, so calls keep recording while a large trail is indexed; an invalid index left by an
 * interrupted build is dropped and built again.
 */
export class AuditListingIndexes1796700400000 implements MigrationInterface {
  name = 'AuditListingIndexes1796700400000';
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    for (const [name, definition] of INDEXES) {
      const invalid: unknown[] = await q.query(
        `SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1 AND NOT i.indisvalid`,
        [name],
      );
      if (invalid.length > 0) await q.query(`DROP INDEX CONCURRENTLY ${name}`);
      await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${name} ON ${definition}`);
    }
  }

  // TypeORM reverts inside a transaction whatever the flag says: plain DROP INDEX (brief, rare).
  async down(q: QueryRunner): Promise<void> {
    for (const [name] of INDEXES) await q.query(`DROP INDEX IF EXISTS ${name}`);
  }
}
