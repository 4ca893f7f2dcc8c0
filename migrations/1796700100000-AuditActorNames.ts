import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail names who acted (which operator key, tenant key, token key, console operator or
 * gateway component) and records events that belong to no tenant (console sign-in, operator
 * webhook endpoints). Earlier rows keep a null name. A tenant with audit history can no longer be
 * removed by a cascade: deletion is soft, and its trail must stay readable.
 */
export class AuditActorNames1796700100000 implements MigrationInterface {
  name = 'AuditActorNames1796700100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_events ADD COLUMN actor_name varchar(80) NULL`);
    // A job's audit event is written when it finishes: the job keeps who created it until then.
    await q.query(`ALTER TABLE blacklist_jobs ADD COLUMN actor_name varchar(80) NULL`);
    await q.query(`ALTER TABLE audit_events ALTER COLUMN tenant_id DROP NOT NULL`);
    await q.query(`ALTER TABLE audit_events DROP CONSTRAINT audit_events_tenant_id_fkey`);
    await q.query(
      `ALTER TABLE audit_events ADD CONSTRAINT audit_events_tenant_id_fkey
         FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE RESTRICT`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_events DROP CONSTRAINT audit_events_tenant_id_fkey`);
    await q.query(
      `ALTER TABLE audit_events ADD CONSTRAINT audit_events_tenant_id_fkey
         FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE`,
    );
    await q.query(`DELETE FROM audit_events WHERE tenant_id IS NULL`);
    await q.query(`ALTER TABLE audit_events ALTER COLUMN tenant_id SET NOT NULL`);
    await q.query(`ALTER TABLE audit_events DROP COLUMN actor_name`);
    await q.query(`ALTER TABLE blacklist_jobs DROP COLUMN actor_name`);
  }
}
