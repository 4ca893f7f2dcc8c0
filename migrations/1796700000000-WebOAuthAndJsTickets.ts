import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Merchants' H5 pages: the origins a tenant's web-authorization returnUrl may point at (none for a
 * new tenant: every returnUrl refused), the flow's one-time state (the nonce sent to WeChat as
 * `state`, 10 minutes) and redemption tickets (60 s), both kept as SHA-256 digests, and the
 * account's JS-SDK tickets (one per tenant and type, sealed like the tokens).
 */
export class WebOAuthAndJsTickets1796700000000 implements MigrationInterface {
  name = 'WebOAuthAndJsTickets1796700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenants ADD COLUMN web_oauth_origins text[] NOT NULL DEFAULT '{}'`);
    await q.query(`
      CREATE TABLE web_oauth_states (
        nonce_hash char(64) PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        scope varchar(16) NOT NULL,
        return_url text NOT NULL,
        caller_state text NULL,
        expires_at timestamptz(3) NOT NULL,
        used_at timestamptz(3) NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX web_oauth_states_tenant_idx ON web_oauth_states (tenant_id)`);
    await q.query(`CREATE INDEX web_oauth_states_expires_idx ON web_oauth_states (expires_at)`);
    await q.query(`
      CREATE TABLE web_oauth_tickets (
        ticket_hash char(64) PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        app_id varchar(64) NOT NULL,
        openid varchar(128) NOT NULL,
        unionid varchar(128) NULL,
        scope varchar(16) NOT NULL,
        user_info jsonb NULL,
        expires_at timestamptz(3) NOT NULL,
        used_at timestamptz(3) NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX web_oauth_tickets_tenant_idx ON web_oauth_tickets (tenant_id)`);
    await q.query(`CREATE INDEX web_oauth_tickets_expires_idx ON web_oauth_tickets (expires_at)`);
    await q.query(`
      CREATE TABLE jssdk_tickets (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        type varchar(16) NOT NULL,
        ticket text NOT NULL,
        expires_at timestamptz(3) NOT NULL,
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT jssdk_tickets_pkey PRIMARY KEY (tenant_id, type),
        CONSTRAINT jssdk_tickets_type_check CHECK (type IN ('jsapi', 'wx_card'))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE jssdk_tickets`);
    await q.query(`DROP TABLE web_oauth_tickets`);
    await q.query(`DROP TABLE web_oauth_states`);
    await q.query(`ALTER TABLE tenants DROP COLUMN web_oauth_origins`);
  }
}
