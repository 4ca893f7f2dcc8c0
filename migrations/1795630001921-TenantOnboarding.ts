import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenants, their authorizer (the merchant's Official Account and its tokens), onboarding
 * sessions, pre-auth codes, the once-only auth-code exchange record, the component's own
 * state (ticket, token) and the push replay register.
 */
export class TenantOnboarding1795630001921 implements MigrationInterface {
  name = 'TenantOnboarding1795630001921';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(100) NOT NULL,
        external_id varchar(128),
        status varchar(32) NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'active', 'revoked', 'reauthorization_required')),
        api_key_hash char(64) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    // A deleted tenant frees its externalId; live ones are unique.
    await q.query(
      `CREATE UNIQUE INDEX tenants_external_id_live_uq ON tenants (external_id) WHERE deleted_at IS NULL AND external_id IS NOT NULL`,
    );
    await q.query(`CREATE UNIQUE INDEX tenants_api_key_hash_uq ON tenants (api_key_hash)`);
    await q.query(`CREATE INDEX tenants_live_page_idx ON tenants (created_at, id) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX tenants_live_status_page_idx ON tenants (status, created_at, id) WHERE deleted_at IS NULL`);

    await q.query(`
      CREATE TABLE authorizers (
        tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
        app_id varchar(64) NOT NULL,
        nick_name varchar(256),
        principal_name varchar(256),
        service_type integer,
        verify_type integer,
        verified boolean NOT NULL DEFAULT false,
        permission_sets integer[] NOT NULL DEFAULT '{}',
        access_token text,
        access_token_expires_at timestamptz,
        refresh_token text,
        authorized_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One Official Account is bound to at most one tenant.
    await q.query(`CREATE UNIQUE INDEX authorizers_app_id_uq ON authorizers (app_id)`);

    await q.query(`
      CREATE TABLE authorization_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL,
        auth_type smallint NOT NULL DEFAULT 1,
        return_url text,
        expires_at timestamptz NOT NULL,
        completed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX authorization_sessions_token_hash_uq ON authorization_sessions (token_hash)`);
    await q.query(`CREATE INDEX authorization_sessions_tenant_idx ON authorization_sessions (tenant_id)`);

    await q.query(`
      CREATE TABLE pre_auth_codes (
        code_hash char(64) PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        session_id uuid NOT NULL REFERENCES authorization_sessions (id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX pre_auth_codes_tenant_idx ON pre_auth_codes (tenant_id)`);
    await q.query(`CREATE INDEX pre_auth_codes_session_idx ON pre_auth_codes (session_id)`);

    // One row per authorization code: whoever (callback or push) exchanges it first writes the
    // outcome, the other reads it, so api_query_auth runs once per code.
    await q.query(`
      CREATE TABLE authorization_code_exchanges (
        code_hash char(64) PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        session_id uuid REFERENCES authorization_sessions (id) ON DELETE SET NULL,
        outcome varchar(32) NOT NULL CHECK (outcome IN ('authorized', 'already_bound', 'code_invalid')),
        authorizer_app_id varchar(64),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX authorization_code_exchanges_tenant_idx ON authorization_code_exchanges (tenant_id)`);

    await q.query(`
      CREATE TABLE component_state (
        component_app_id varchar(64) PRIMARY KEY,
        ticket text,
        ticket_create_time bigint,
        ticket_received_at timestamptz,
        access_token text,
        access_token_expires_at timestamptz,
        push_ticket_requested_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE component_push_receipts (
        msg_signature varchar(64) NOT NULL,
        timestamp varchar(20) NOT NULL,
        nonce varchar(64) NOT NULL,
        info_type varchar(64),
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (msg_signature, timestamp, nonce)
      )`);
    await q.query(`CREATE INDEX component_push_receipts_received_idx ON component_push_receipts (received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE component_push_receipts`);
    await q.query(`DROP TABLE component_state`);
    await q.query(`DROP TABLE authorization_code_exchanges`);
    await q.query(`DROP TABLE pre_auth_codes`);
    await q.query(`DROP TABLE authorization_sessions`);
    await q.query(`DROP TABLE authorizers`);
    await q.query(`DROP TABLE tenants`);
  }
}
