import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The authorizer-list reconciliation runs on a pg-boss schedule, which decides one instance per
 * occurrence itself: the claim column is no longer read. Every other column and row stays.
 */
export class ReconcileOnPgBoss1795631450000 implements MigrationInterface {
  name = 'ReconcileOnPgBoss1795631450000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE component_state DROP COLUMN authorizer_list_reconciled_for`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE component_state ADD COLUMN authorizer_list_reconciled_for timestamptz`);
  }
}
