import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Blacklist jobs (one row per job, one per 20-openid chunk, one per openid), the sync
 * route's idempotency keys, the per-tenant daily-quota blocks every instance honours, and
 * the append-only audit log. Runs after the tenants migration (every table references it).
 */
export class Blacklist1795630100000 implements MigrationInterface {
  name = 'Blacklist1795630100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE blacklist_jobs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        action varchar(16) NOT NULL CHECK (action IN ('block', 'unblock')),
        status varchar(24) NOT NULL DEFAULT 'queued'
          CHECK (status IN ('queued', 'running', 'paused', 'succeeded', 'partially_failed', 'failed', 'cancelled')),
        total integer NOT NULL CHECK (total > 0),
        chunk_count integer NOT NULL CHECK (chunk_count > 0),
        succeeded integer NOT NULL DEFAULT 0,
        invalid integer NOT NULL DEFAULT 0,
        failed integer NOT NULL DEFAULT 0,
        cancelled integer NOT NULL DEFAULT 0,
        actor varchar(16) NOT NULL CHECK (actor IN ('operator', 'tenant')),
        request_id varchar(128),
        error_code varchar(64),
        error_message text,
        resume_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        started_at timestamptz(3),
        finished_at timestamptz(3),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX blacklist_jobs_tenant_idx ON blacklist_jobs (tenant_id, created_at)`);

    // One row per 20-openid chunk: the unit a worker claims (FOR UPDATE SKIP LOCKED) and leases.
    // An in_flight chunk whose lease lapsed belonged to a dead worker and may already have
    // reached WeChat, so whoever reclaims it reconciles before re-sending.
    await q.query(`
      CREATE TABLE blacklist_job_chunks (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        job_id uuid NOT NULL REFERENCES blacklist_jobs (id) ON DELETE CASCADE,
        chunk_no integer NOT NULL,
        state varchar(16) NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'in_flight', 'done', 'cancelled')),
        claimed_by uuid,
        lease_until timestamptz(3),
        attempts integer NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant_id, job_id, chunk_no)
      )`);
    // Only open chunks are ever searched; done ones leave this index.
    await q.query(
      `CREATE INDEX blacklist_job_chunks_open_idx ON blacklist_job_chunks (tenant_id, job_id, chunk_no) WHERE state IN ('pending', 'in_flight')`,
    );
    await q.query(`CREATE INDEX blacklist_job_chunks_lease_idx ON blacklist_job_chunks (claimed_by) WHERE state = 'in_flight'`);

    // One row per distinct openid; chunk = seq / 20. The primary key leads with tenant_id, so
    // it is also the tenant index. Outcomes are updated in place: leave room for HOT updates.
    await q.query(`
      CREATE TABLE blacklist_job_items (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        job_id uuid NOT NULL REFERENCES blacklist_jobs (id) ON DELETE CASCADE,
        seq integer NOT NULL,
        openid varchar(64) NOT NULL,
        outcome varchar(16) NOT NULL DEFAULT 'pending'
          CHECK (outcome IN ('pending', 'succeeded', 'invalid', 'failed', 'cancelled')),
        code varchar(64),
        message varchar(500),
        PRIMARY KEY (tenant_id, job_id, seq)
      ) WITH (fillfactor = 80)`);

    await q.query(`
      CREATE TABLE blacklist_idempotency_keys (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        idempotency_key varchar(255) NOT NULL,
        request_hash char(64) NOT NULL,
        state varchar(16) NOT NULL DEFAULT 'in_progress' CHECK (state IN ('in_progress', 'completed')),
        response jsonb,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        completed_at timestamptz(3),
        PRIMARY KEY (tenant_id, idempotency_key)
      )`);
    await q.query(`CREATE INDEX blacklist_idempotency_keys_created_idx ON blacklist_idempotency_keys (created_at)`);

    // 45009 for one account and one API: nobody calls it again before blocked_until.
    await q.query(`
      CREATE TABLE wechat_quota_blocks (
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        api varchar(64) NOT NULL,
        blocked_until timestamptz(3) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, api)
      )`);

    await q.query(`
      CREATE TABLE audit_events (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        at timestamptz(3) NOT NULL DEFAULT now(),
        actor varchar(16) NOT NULL CHECK (actor IN ('operator', 'tenant')),
        action varchar(32) NOT NULL,
        total integer NOT NULL,
        succeeded integer NOT NULL,
        invalid integer NOT NULL,
        failed integer NOT NULL,
        -- No foreign key: the audit trail outlives job retention.
        job_id uuid,
        request_id varchar(128)
      )`);
    await q.query(`CREATE INDEX audit_events_tenant_idx ON audit_events (tenant_id, seq)`);
    // Append-only: the history is never rewritten (deletes stay possible for retention).
    await q.query(`
      CREATE FUNCTION audit_events_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only';
      END $$`);
    await q.query(
      `CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_update()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP FUNCTION audit_events_refuse_update()`);
    await q.query(`DROP TABLE wechat_quota_blocks`);
    await q.query(`DROP TABLE blacklist_idempotency_keys`);
    await q.query(`DROP TABLE blacklist_job_items`);
    await q.query(`DROP TABLE blacklist_job_chunks`);
    await q.query(`DROP TABLE blacklist_jobs`);
  }
}
