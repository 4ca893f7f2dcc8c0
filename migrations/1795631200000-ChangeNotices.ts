import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each instance keeps short-lived copies of what every request reads (API key → caller, a
 * tenant's status, account facts and access token, its quota blocks). Triggers announce every
 * row change of those tables on channel `wtg_changes`, as `<table>:<tenant id>`, when the change
 * commits (NOTIFY is transactional), so the copies are dropped on every instance, whoever wrote:
 * a service, `secrets:reseal`, an operator with psql. TRUNCATE announces `<table>:*`.
 */
const TABLES: [table: string, tenantColumn: string][] = [
  ['tenants', 'id'],
  ['authorizers', 'tenant_id'],
  ['token_keys', 'tenant_id'],
  ['wechat_quota_blocks', 'tenant_id'],
];

export class ChangeNotices1795631200000 implements MigrationInterface {
  name = 'ChangeNotices1795631200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION wtg_announce_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          PERFORM pg_notify('wtg_changes', TG_TABLE_NAME || ':' || (to_jsonb(OLD) ->> TG_ARGV[0]));
        ELSE
          PERFORM pg_notify('wtg_changes', TG_TABLE_NAME || ':' || (to_jsonb(NEW) ->> TG_ARGV[0]));
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION wtg_announce_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('wtg_changes', TG_TABLE_NAME || ':*');
        RETURN NULL;
      END $$`);
    for (const [table, column] of TABLES) {
      await q.query(
        `CREATE TRIGGER ${table}_announce_change AFTER INSERT OR UPDATE OR DELETE ON ${table}
           FOR EACH ROW EXECUTE FUNCTION wtg_announce_row_change('${column}')`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_announce_truncate AFTER TRUNCATE ON ${table}
           FOR EACH STATEMENT EXECUTE FUNCTION wtg_announce_truncate()`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [table] of TABLES) {
      await q.query(`DROP TRIGGER ${table}_announce_truncate ON ${table}`);
      await q.query(`DROP TRIGGER ${table}_announce_change ON ${table}`);
    }
    await q.query(`DROP FUNCTION wtg_announce_truncate()`);
    await q.query(`DROP FUNCTION wtg_announce_row_change()`);
  }
}
