import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Token keys (`wtt_…`): credentials that may only read a tenant's authorizer token, stored as the
 * SHA-256 of the key like tenant keys. The audit trail learns proxied WeChat calls and token
 * reads: a third actor (a token key) and a details column for what those events carry
 * (path, errcode, durationMs; never bodies or tokens).
 */
export class TokenKeysAndCallAudit1795630500000 implements MigrationInterface {
  name = 'TokenKeysAndCallAudit1795630500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE token_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        key_hash char(64) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX token_keys_key_hash_uq ON token_keys (key_hash)`);
    await q.query(`CREATE INDEX token_keys_tenant_idx ON token_keys (tenant_id, created_at, id)`);
    await q.query(`ALTER TABLE audit_events ADD COLUMN details jsonb NULL`);
    await q.query(`ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_check`);
    await q.query(
      `ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_check CHECK (actor IN ('operator', 'tenant', 'token_key'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM audit_events WHERE actor = 'token_key'`);
    await q.query(`ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_check`);
    await q.query(`ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_check CHECK (actor IN ('operator', 'tenant'))`);
    await q.query(`ALTER TABLE audit_events DROP COLUMN details`);
    await q.query(`DROP TABLE token_keys`);
  }
}
