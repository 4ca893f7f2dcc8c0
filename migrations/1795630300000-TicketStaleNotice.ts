import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When the component.ticket_stale event was published for the current ticket (cleared by the next ticket). */
export class TicketStaleNotice1795630300000 implements MigrationInterface {
  name = 'TicketStaleNotice1795630300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE component_state ADD COLUMN ticket_stale_reported_at timestamptz NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE component_state DROP COLUMN ticket_stale_reported_at`);
  }
}
