import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The account's original id (gh_…, api_get_authorizer_info's user_name): the message URL checks a
 * push's ToUserName against it. Existing rows stay NULL until their next info read.
 */
export class AuthorizerUserName1796633305246 implements MigrationInterface {
  name = 'AuthorizerUserName1796633305246';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE authorizers ADD COLUMN user_name varchar(64) NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE authorizers DROP COLUMN user_name`);
  }
}
