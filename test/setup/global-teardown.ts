import { rmSync } from 'node:fs';
import { Client } from 'pg';
import type { RunningPostgres } from '../../libs/database/src/embedded-postgres';
import { TEST_STATE_FILE } from '../support/test-state';

export default async function globalTeardown(): Promise<void> {
  const held = (globalThis as { __WTG_PG__?: { pg: RunningPostgres; dir: string } }).__WTG_PG__;
  if (held) {
    await held.pg.stop();
    rmSync(held.dir, { recursive: true, force: true });
  } else if (process.env.WTG_TEST_ADMIN_URL) {
    // A shared server (TEST_DATABASE_URL): drop what this run created.
    const admin = new Client({ connectionString: process.env.WTG_TEST_ADMIN_URL });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
        `%_${process.pid}%`,
      ]);
      for (const r of rows) await admin.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
  rmSync(TEST_STATE_FILE, { force: true });
}
