import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbound webhooks (Standard Webhooks): endpoints (operator endpoints have no tenant), the
 * outbox of events written in the same transaction as the change they report, and one
 * delivery row per (endpoint, event) that workers claim with FOR UPDATE SKIP LOCKED and lease.
 */
export class Webhooks1795630200000 implements MigrationInterface {
  name = 'Webhooks1795630200000';

  async up(q: QueryRunner): Promise<void> {
    // Secrets are sealed with the gateway's SecretCipher; the previous one signs too until it expires.
    await q.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
        url varchar(2048) NOT NULL,
        types text[] NOT NULL,
        description varchar(500),
        enabled boolean NOT NULL DEFAULT true,
        secret text NOT NULL,
        previous_secret text,
        previous_secret_expires_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_endpoints_tenant_page_idx ON webhook_endpoints (tenant_id, created_at, id)`);
    await q.query(
      `CREATE INDEX webhook_endpoints_operator_page_idx ON webhook_endpoints (created_at, id) WHERE tenant_id IS NULL`,
    );

    // body is the exact JSON that is signed and sent, so every retry carries the same bytes.
    await q.query(`
      CREATE TABLE webhook_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
        type varchar(64) NOT NULL,
        body text NOT NULL,
        occurred_at timestamptz(3) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_events_tenant_idx ON webhook_events (tenant_id)`);

    // tenant_id is the endpoint's owner (null: an operator endpoint), not the event's tenant.
    await q.query(`
      CREATE TABLE webhook_deliveries (
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        event_id uuid NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
        tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
        status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts jsonb NOT NULL,
        attempt_count integer NOT NULL DEFAULT 0,
        round_attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz(3),
        locked_until timestamptz(3),
        lock_token uuid,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (endpoint_id, event_id)
      )`);
    // Workers search only pending rows; delivered and failed ones leave this index.
    await q.query(`CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`);
    await q.query(
      `CREATE INDEX webhook_deliveries_leased_idx ON webhook_deliveries (endpoint_id) WHERE locked_until IS NOT NULL`,
    );
    await q.query(`CREATE INDEX webhook_deliveries_page_idx ON webhook_deliveries (endpoint_id, created_at, event_id)`);
    await q.query(`CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id)`);
    await q.query(`CREATE INDEX webhook_deliveries_tenant_idx ON webhook_deliveries (tenant_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_events`);
    await q.query(`DROP TABLE webhook_endpoints`);
  }
}
