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
    const jobIds: string[] = [];
    let auditEvents = 0;
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
        // A blacklist job (job, chunk, item) once those tables exist, for the migrations that alter them.
        const [{ jobs }] = await ds.query(`SELECT to_regclass('blacklist_job_items') IS NOT NULL AS jobs`);
        if (jobs) {
          const [job] = await ds.query(
            `INSERT INTO blacklist_jobs (tenant_id, action, total, chunk_count, actor) VALUES ($1, 'block', 1, 1, 'tenant') RETURNING id`,
            [tenantIds[tenantIds.length - 1]],
          );
          await ds.query(`INSERT INTO blacklist_job_chunks (tenant_id, job_id, chunk_no) VALUES ($1, $2, 0)`, [
            tenantIds[tenantIds.length - 1],
            job.id,
          ]);
          await ds.query(`INSERT INTO blacklist_job_items (tenant_id, job_id, seq, openid) VALUES ($1, $2, 0, $3)`, [
            tenantIds[tenantIds.length - 1],
            job.id,
            `o-${n}`,
          ]);
          jobIds.push(job.id);
        }
        // An audit event once the trail exists, so the migrations that alter it meet old rows.
        const [{ audit }] = await ds.query(`SELECT to_regclass('audit_events') IS NOT NULL AS audit`);
        if (audit) {
          await ds.query(
            `INSERT INTO audit_events (tenant_id, actor, action, total, succeeded, invalid, failed) VALUES ($1, 'tenant', 'block', 1, 1, 0, 0)`,
            [tenantIds[tenantIds.length - 1]],
          );
          auditEvents++;
        }
      } finally {
        await ds.destroy();
      }
    }

    const all = await dataSourceWith(MIGRATIONS.length).initialize();
    try {
      const rows: { id: string }[] = await all.query(`SELECT id FROM tenants`);
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set(tenantIds));
      expect(jobIds.length).toBeGreaterThan(1);
      const items: { job_id: string }[] = await all.query(
        `SELECT i.job_id FROM blacklist_job_items i JOIN blacklist_job_chunks c USING (tenant_id, job_id) JOIN blacklist_jobs j ON j.id = i.job_id`,
      );
      expect(new Set(items.map((r) => r.job_id))).toEqual(new Set(jobIds));
      expect(items).toHaveLength(jobIds.length);
      // Every audit row stays, readable; those written before actors were named have no name.
      const [trail] = await all.query(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE actor_name IS NULL AND tenant_id IS NOT NULL)::int AS unnamed FROM audit_events`,
      );
      expect(trail).toEqual({ n: auditEvents, unnamed: auditEvents });
      expect(auditEvents).toBeGreaterThan(1);
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
