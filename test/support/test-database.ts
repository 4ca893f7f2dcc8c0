import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Client } from 'pg';
import { TEST_STATE_FILE, type TestDatabaseState } from './test-state';

/** An empty database (no migrations applied), for testing the migrations themselves. */
export async function createEmptyTestDatabase(): Promise<string> {
  return createTestDatabase({ empty: true });
}

/**
 * A fresh, migrated database for one test file, cloned from the template the global
 * setup migrated. Names carry "test" and the run's pid so teardown can drop them.
 */
export async function createTestDatabase(opts: { empty?: boolean } = {}): Promise<string> {
  const state = existsSync(TEST_STATE_FILE)
    ? (JSON.parse(readFileSync(TEST_STATE_FILE, 'utf8')) as TestDatabaseState)
    : undefined;
  const adminUrl = process.env.WTG_TEST_ADMIN_URL ?? state?.adminUrl;
  const template = process.env.WTG_TEST_TEMPLATE ?? state?.template;
  if (!adminUrl || !template) throw new Error('test database not prepared: run through jest (global setup)');
  const name = `${template.replace('_tpl_', '_')}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Two workers cloning at the same instant can collide on the template; retry briefly.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(opts.empty ? `CREATE DATABASE "${name}"` : `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        break;
      } catch (e) {
        if (attempt >= 10 || !/being accessed/.test((e as Error).message)) throw e;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
