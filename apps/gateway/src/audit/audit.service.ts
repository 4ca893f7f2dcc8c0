import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ValidationError } from '@app/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditEventDto, AuditEventPageDto } from './dto/audit-event.dto';
import type { TenantId } from '../tenants/tenant-id';

export interface AuditRecord {
  actor: 'operator' | 'tenant';
  action: string;
  total: number;
  succeeded: number;
  invalid: number;
  failed: number;
  jobId?: string | null;
  requestId?: string | null;
}

interface AuditRow {
  seq: string;
  id: string;
  at: Date;
  actor: 'operator' | 'tenant';
  action: string;
  total: number;
  succeeded: number;
  invalid: number;
  failed: number;
  job_id: string | null;
  request_id: string | null;
}

/** The append-only audit trail of blacklist changes, per tenant, newest first. */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Appends one event; pass the transaction's manager to commit it with what it describes. */
  async record(tenantId: TenantId, event: AuditRecord, tx?: EntityManager): Promise<void> {
    await (tx ?? this.dataSource).query(
      `INSERT INTO audit_events (tenant_id, actor, action, total, succeeded, invalid, failed, job_id, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        tenantId,
        event.actor,
        event.action,
        event.total,
        event.succeeded,
        event.invalid,
        event.failed,
        event.jobId ?? null,
        event.requestId ? event.requestId.slice(0, 128) : null,
      ],
    );
  }

  async list(tenantId: TenantId, cursor: string | undefined, limit = 50): Promise<AuditEventPageDto> {
    const before = cursor === undefined ? undefined : decodeCursor(cursor);
    const rows: AuditRow[] = await this.dataSource.query(
      `SELECT seq, id, at, actor, action, total, succeeded, invalid, failed, job_id, request_id
         FROM audit_events
        WHERE tenant_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint)
        ORDER BY seq DESC
        LIMIT $3`,
      [tenantId, before ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    return {
      items: page.map(toDto),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].seq) : null,
    };
  }
}

function toDto(r: AuditRow): AuditEventDto {
  return {
    id: r.id,
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    action: r.action,
    total: r.total,
    succeeded: r.succeeded,
    invalid: r.invalid,
    failed: r.failed,
    jobId: r.job_id,
    requestId: r.request_id,
  };
}

const encodeCursor = (seq: string) => Buffer.from(`a${seq}`).toString('base64url');

function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^a\d{1,18}$/.test(text))
    throw new ValidationError('The request is invalid.', { fields: [{ field: 'cursor', messages: ['cursor is not valid'] }] });
  return text.slice(1);
}
