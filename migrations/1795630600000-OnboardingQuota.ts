import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Protecting the component's WeChat quota from anonymous callers: a session's pre-auth code is
 * kept (sealed) so reloads reuse it, and the component's own calls are counted per day.
 */
export class OnboardingQuota1795630600000 implements MigrationInterface {
  name = 'OnboardingQuota1795630600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pre_auth_codes ADD COLUMN code_sealed text NULL`);
    await q.query(`
      CREATE TABLE component_api_calls (
        day date NOT NULL,
        api varchar(64) NOT NULL,
        calls integer NOT NULL DEFAULT 0,
        CONSTRAINT component_api_calls_pkey PRIMARY KEY (day, api)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE component_api_calls`);
    await q.query(`ALTER TABLE pre_auth_codes DROP COLUMN code_sealed`);
  }
}
