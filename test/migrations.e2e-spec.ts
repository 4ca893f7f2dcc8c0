import { createHash, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations';
import { dataSourceOptions } from '../apps/gateway/src/data-source';
import { createEmptyTestDatabase } from './support/test-database';

/**
 * Each migration must run forward on a populated database without losing rows: apply the
 * migrations one at a time, seeding rows after each, and check every earlier row survives.
 * Then revert them all and apply them again, as a deployment rollback would.
 */
describe('migrations', () => {
  let url: string;
  beforeAll(async () => {
    url = await createEmptyTestDatabase();
  });

  const dataSourceWith = (count: number) => new DataSource(dataSourceOptions(url, { migrations: MIGRATIONS.slice(0, count) }));

  it('apply one by one on a populated database, keep every row, and revert cleanly', async () => {
    const tenantIds: string[] = [];
    for (let n = 1; n <= MIGRATIONS.length; n++) {
      const ds = await dataSourceWith(n).initialize();
      try {
        const applied = await ds.runMigrations({ transaction: 'each' });
        expect(applied).toHaveLength(1);
        // Seed rows the first migration defines, so every later migration meets existing data.
        for (let i = 0; i < 50; i++) {
          const id = randomUUID();
          tenantIds.push(id);
          await ds.query(`INSERT INTO tenants (id, name, external_id, status, api_key_hash) VALUES ($1, $2, $3, 'active', $4)`, [
            id,
            `tenant ${n}-${i}`,
            `ext-${n}-${i}`,
            createHash('sha256').update(id).digest('hex'),
          ]);
          await ds.query(
            `INSERT INTO authorizers (tenant_id, app_id, verified, permission_sets, access_token, refresh_token) VALUES ($1, $2, true, '{1,2}', 'sealed-a', 'sealed-r')`,
            [id, `wx${id.replace(/-/g, '').slice(0, 16)}`],
          );
        }
        const count = await ds.query(`SELECT count(*)::int AS n FROM tenants t JOIN authorizers a ON a.tenant_id = t.id`);
        expect(count[0].n).toBe(tenantIds.length);
      } finally {
        await ds.destroy();
      }
    }

    const all = await dataSourceWith(MIGRATIONS.length).initialize();
    try {
      const rows: { id: string }[] = await all.query(`SELECT id FROM tenants`);
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set(tenantIds));
      for (let i = 0; i < MIGRATIONS.length; i++) await all.undoLastMigration({ transaction: 'each' });
      const left: { table_name: string }[] = await all.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'`,
      );
      expect(left).toEqual([]);
      const again = await all.runMigrations({ transaction: 'each' });
      expect(again).toHaveLength(MIGRATIONS.length);
    } finally {
      await all.destroy();
    }
  });
});
