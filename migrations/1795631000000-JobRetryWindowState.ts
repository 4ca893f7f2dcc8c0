import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A blacklist job chunk's transient-failure state, kept in the database so a restarted process
 * or another instance continues it instead of starting over: when its retry window opened
 * (database clock) and how many transient failures it has had (the backoff step), and per item
 * whether a call carrying the openid had an unknown outcome (timeout, dropped connection), so the
 * item is read back from getblacklist before it can be reported failed or cancelled. Adding
 * columns with constant defaults rewrites no rows.
 */
export class JobRetryWindowState1795631000000 implements MigrationInterface {
  name = 'JobRetryWindowState1795631000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE blacklist_job_chunks ADD COLUMN retry_since timestamptz(3), ADD COLUMN retry_attempts integer NOT NULL DEFAULT 0`,
    );
    await q.query(`ALTER TABLE blacklist_job_items ADD COLUMN outcome_unknown boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE blacklist_job_items DROP COLUMN outcome_unknown`);
    await q.query(`ALTER TABLE blacklist_job_chunks DROP COLUMN retry_since, DROP COLUMN retry_attempts`);
  }
}
