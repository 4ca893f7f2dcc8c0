import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When an instance last renewed the component token because WeChat rejected an authorizer token
 * we held as fresh (tokens dropped early, e.g. all at once): shared, so at most one such renewal
 * happens per 10 minutes across instances.
 */
export class ComponentTokenEarlyRenewal1795631300000 implements MigrationInterface {
  name = 'ComponentTokenEarlyRenewal1795631300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE component_state ADD COLUMN token_early_renewed_at timestamptz NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE component_state DROP COLUMN token_early_renewed_at`);
  }
}
