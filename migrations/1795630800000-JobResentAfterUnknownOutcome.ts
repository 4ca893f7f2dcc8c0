import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Openids a blacklist job sent again because an earlier call carrying them had an unknown outcome
 * (timeout, dropped connection, a worker that died): allowed (block/unblock are idempotent) and
 * reported as the job's details.resentAfterUnknownOutcome.
 */
export class JobResentAfterUnknownOutcome1795630800000 implements MigrationInterface {
  name = 'JobResentAfterUnknownOutcome1795630800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE blacklist_jobs ADD COLUMN resent_after_unknown_outcome integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE blacklist_jobs DROP COLUMN resent_after_unknown_outcome`);
  }
}
