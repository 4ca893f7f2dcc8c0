import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { preparedSql, sql } from '../platform/database/sql';
import type { TenantId } from '../tenants/tenant-id';
import type { AuditActor } from './audit-actor';

export type { AuditActor } from './audit-actor';

/** What a proxied call or a token read records besides the counts (never bodies or tokens). */
export type AuditDetails = Record<string, string | number | null>;

export interface NewAuditEvent {
  actor: AuditActor;
  actorName: string | null;
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
  tenantId: TenantId | null;
  at: Date;
}

/** What the operator's listing across tenants may narrow by. */
export interface AuditFilter {
  tenantId?: TenantId;
  action?: string;
  since?: Date;
}

const SELECT = `SELECT seq, id, tenant_id, at, actor, actor_name, action, total, succeeded, invalid, failed, job_id, request_id, details
                  FROM audit_events`;

interface AuditRow {
  seq: string;
  id: string;
  tenant_id: TenantId | null;
  at: Date;
  actor: AuditActor;
  actor_name: string | null;
  action: string;
  total: number;
  succeeded: number;
  invalid: number;
  failed: number;
  job_id: string | null;
  request_id: string | null;
  details: AuditDetails | null;
}

/**
 * The statement behind the listing across tenants. An action or a `since` is served by its own
 * index (migration 1796700400000), not by walking the trail newest first; exported so a spec can
 * read this very statement's plan.
 */
export function acrossTenantsQuery(
  filter: AuditFilter,
  beforeSeq: string | undefined,
  limit: number,
): { text: string; params: unknown[] } {
  return {
    text: `${SELECT}
        WHERE ($1::uuid IS NULL OR tenant_id = $1::uuid)
          AND ($2::varchar IS NULL OR action = $2::varchar)
          AND ($3::timestamptz IS NULL OR at >= $3::timestamptz)
          AND ($4::bigint IS NULL OR seq < $4::bigint)
        ORDER BY seq DESC
        LIMIT $5`,
    params: [filter.tenantId ?? null, filter.action ?? null, filter.since?.toISOString() ?? null, beforeSeq ?? null, limit],
  };
}

/** audit_events: append-only, read per tenant (or across tenants, by operators) newest first by seq. */
@Injectable()
export class AuditRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Several events in one statement (group commit: one round trip and one commit for all), one
   * array per column so the text is the same for any number of events and PostgreSQL plans it once.
   */
  async appendMany(events: { tenantId: TenantId | null; event: NewAuditEvent }[]): Promise<void> {
    const columns: unknown[][] = Array.from({ length: 11 }, () => new Array<unknown>(events.length));
    events.forEach(({ tenantId, event: e }, i) => {
      const row = [tenantId, e.actor, e.actorName, e.action, e.total, e.succeeded, e.invalid, e.failed, e.jobId, e.requestId];
      for (let c = 0; c < row.length; c++) columns[c][i] = row[c];
      columns[10][i] = e.details === null ? null : JSON.stringify(e.details);
    });
    await preparedSql(
      this.dataSource,
      'audit_events_append_many_v2',
      `INSERT INTO audit_events (tenant_id, actor, actor_name, action, total, succeeded, invalid, failed, job_id, request_id, details)
       SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::int[], $6::int[], $7::int[], $8::int[],
                            $9::uuid[], $10::varchar[], $11::jsonb[])`,
      columns,
    );
  }

  /** `tenantId` null: an event of no tenant (console sign-in, operator webhook endpoints). */
  async append(tenantId: TenantId | null, e: NewAuditEvent, m?: EntityManager): Promise<void> {
    await sql(
      m ?? this.dataSource,
      `INSERT INTO audit_events (tenant_id, actor, actor_name, action, total, succeeded, invalid, failed, job_id, request_id, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        tenantId,
        e.actor,
        e.actorName,
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
      `${SELECT}
        WHERE tenant_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint)
        ORDER BY seq DESC
        LIMIT $3`,
      [tenantId, beforeSeq ?? null, limit],
    );
    return rows.map(toRecord);
  }

  /**
   * Across tenants, deleted ones included (their rows stay: deletion is soft), narrowed by
   * `filter`: up to `limit` events with seq below `beforeSeq`, newest first.
   */
  async listAcrossTenants(filter: AuditFilter, beforeSeq: string | undefined, limit: number): Promise<AuditEventRecord[]> {
    const { text, params } = acrossTenantsQuery(filter, beforeSeq, limit);
    const { rows } = await sql<AuditRow>(this.dataSource, text, params);
    return rows.map(toRecord);
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

function toRecord(r: AuditRow): AuditEventRecord {
  return {
    seq: r.seq,
    id: r.id,
    tenantId: r.tenant_id,
    at: new Date(r.at),
    actor: r.actor,
    actorName: r.actor_name,
    action: r.action,
    total: r.total,
    succeeded: r.succeeded,
    invalid: r.invalid,
    failed: r.failed,
    jobId: r.job_id,
    requestId: r.request_id,
    details: r.details,
  };
}
