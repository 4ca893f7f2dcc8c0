// Entities import @app/* aliases; globalSetup runs outside jest's moduleNameMapper, so map them here.
import 'tsconfig-paths/register';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../apps/gateway/src/data-source';
import { startEmbeddedPostgres } from '../../libs/database/src/embedded-postgres';
import { findFreePort } from '../../libs/database/src/free-port';
import { TEST_STATE_FILE, type TestDatabaseState } from '../support/test-state';

/**
 * One PostgreSQL server for the whole run: TEST_DATABASE_URL when given, otherwise an
 * embedded one in a temporary directory. Each test file then clones its own database
 * from a template (see test/support/test-database.ts) so suites never share queues or rows.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl: string;
  let baseName: string;
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    const url = new URL(given);
    baseName = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (!/test/i.test(baseName)) {
      throw new Error(`Refusing to run tests against database "${baseName}": its name must contain "test".`);
    }
    adminUrl = given;
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'wtg-test-pg-'));
    const port = await findFreePort();
    // In the test run's process group: a Ctrl-C of `npm test` stops this throwaway server too.
    const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port, database: 'wtg_test', ownProcessGroup: false });
    (globalThis as { __WTG_PG__?: unknown }).__WTG_PG__ = { pg, dir };
    adminUrl = pg.url;
    baseName = 'wtg_test';
  }
  const template = `${baseName}_tpl_${process.pid}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${template}"`);
    await admin.query(`CREATE DATABASE "${template}"`);
  } finally {
    await admin.end();
  }
  // Run the real migrations once into the template; every clone starts migrated.
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${template}`;
  const ds = new DataSource(dataSourceOptions(templateUrl.toString()));
  await ds.initialize();
  await ds.runMigrations();
  await ds.destroy();

  const state: TestDatabaseState = { adminUrl, template, created: [] };
  writeFileSync(TEST_STATE_FILE, JSON.stringify(state));
  process.env.WTG_TEST_ADMIN_URL = adminUrl;
  process.env.WTG_TEST_TEMPLATE = template;
}
