import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { preparedSql, sql } from '../database/sql';
import type { TenantId } from '../tenants/tenant-id';

export type AuditActor = 'operator' | 'tenant' | 'token_key' | 'system';

/** What a proxied call or a token read records besides the counts (never bodies or tokens). */
export type AuditDetails = Record<string, string | number | null>;

export interface NewAuditEvent {
  actor: AuditActor;
  action: string;
  total: number;
  succeeded: number;
  invalid: number;
  failed: number;
  jobId: string | null;
  requestId: string | null;
  details: AuditDetails | null;
}

export interface AuditEventRecord extends NewAuditEvent {
  seq: string;
  id: string;
  at: Date;
}

interface AuditRow {
  seq: string;
  id: string;
  at: Date;
  actor: AuditActor;
  action: string;
  total: number;
  succeeded: number;
  invalid: number;
  failed: number;
  job_id: string | null;
  request_id: string | null;
  details: AuditDetails | null;
}

/** audit_events: append-only, read per tenant newest first by seq. */
@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Several events in one statement (group commit: one round trip and one commit for all), one
   * array per column so the text is the same for any number of events and PostgreSQL plans it once.
   */
  async appendMany(events: { tenantId: TenantId; event: NewAuditEvent }[]): Promise<void> {
    const columns: unknown[][] = Array.from({ length: 10 }, () => new Array<unknown>(events.length));
    events.forEach(({ tenantId, event: e }, i) => {
      const row = [tenantId, e.actor, e.action, e.total, e.succeeded, e.invalid, e.failed, e.jobId, e.requestId];
      for (let c = 0; c < row.length; c++) columns[c][i] = row[c];
      columns[9][i] = e.details === null ? null : JSON.stringify(e.details);
    });
    await preparedSql(
      this.dataSource,
      'audit_events_append_many',
      `INSERT INTO audit_events (tenant_id, actor, action, total, succeeded, invalid, failed, job_id, request_id, details)
       SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::int[], $5::int[], $6::int[], $7::int[],
                            $8::uuid[], $9::varchar[], $10::jsonb[])`,
      columns,
    );
  }

  async append(tenantId: TenantId, e: NewAuditEvent, m?: EntityManager): Promise<void> {
    await sql(
      m ?? this.dataSource,
      `INSERT INTO audit_events (tenant_id, actor, action, total, succeeded, invalid, failed, job_id, request_id, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        tenantId,
        e.actor,
        e.action,
        e.total,
        e.succeeded,
        e.invalid,
        e.failed,
        e.jobId,
        e.requestId,
        e.details === null ? null : JSON.stringify(e.details),
      ],
    );
  }

  /** Up to `limit` events with seq below `beforeSeq` (all when undefined), newest first. */
  async listBefore(tenantId: TenantId, beforeSeq: string | undefined, limit: number): Promise<AuditEventRecord[]> {
    const { rows } = await sql<AuditRow>(
      this.dataSource,
      `SELECT seq, id, at, actor, action, total, succeeded, invalid, failed, job_id, request_id, details
         FROM audit_events
        WHERE tenant_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint)
        ORDER BY seq DESC
        LIMIT $3`,
      [tenantId, beforeSeq ?? null, limit],
    );
    return rows.map((r) => ({
      seq: r.seq,
      id: r.id,
      at: new Date(r.at),
      actor: r.actor,
      action: r.action,
      total: r.total,
      succeeded: r.succeeded,
      invalid: r.invalid,
      failed: r.failed,
      jobId: r.job_id,
      requestId: r.request_id,
      details: r.details,
    }));
  }

  /**
   * Retention across tenants (RETENTION_AUDIT_DAYS): up to `limit` of the oldest events, those more
   * than `days` old. Only the head of the log (by seq, its insertion order) is read, so a sweep with
   * nothing to do costs one short index read however long the log is.
   */
  async deleteOlderThan(days: number, limit: number): Promise<number> {
    const { count } = await sql(
      this.dataSource,
      `DELETE FROM audit_events WHERE seq = ANY(ARRAY(
         SELECT seq FROM (SELECT seq, at FROM audit_events ORDER BY seq LIMIT $2) head
          WHERE at < now() - make_interval(days => $1)))`,
      [days, limit],
    );
    return count;
  }
}
