import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The occurrence of AUTHORIZER_RECONCILE_CRON whose reconciliation of the component's authorizer
 * list was claimed last: every instance looks each minute, the row update lets one run it.
 */
export class AuthorizerListReconciled1795630900000 implements MigrationInterface {
  name = 'AuthorizerListReconciled1795630900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE component_state ADD COLUMN authorizer_list_reconciled_for timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE component_state DROP COLUMN authorizer_list_reconciled_for`);
  }
}
