import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The gateway itself becomes an audit actor: a refresh token recovered from WeChat's authorizer
 * list, or replaced / revoked by the periodic reconciliation, is recorded as done by 'system'.
 */
export class SystemAuditActor1795630700000 implements MigrationInterface {
  name = 'SystemAuditActor1795630700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_check`);
    await q.query(
      `ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_check CHECK (actor IN ('operator', 'tenant', 'token_key', 'system'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM audit_events WHERE actor = 'system'`);
    await q.query(`ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_check`);
    await q.query(
      `ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_check CHECK (actor IN ('operator', 'tenant', 'token_key'))`,
    );
  }
}
