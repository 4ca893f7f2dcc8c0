import { Injectable } from '@nestjs/common';
import { ValidationError } from '@app/common';
import type { EntityManager } from 'typeorm';
import { type AuditEventRecord, AuditRepository } from './audit.repository';
import type { AuditEventDto, AuditEventPageDto } from './dto/audit-event.dto';
import type { TenantId } from '../tenants/tenant-id';

export interface AuditRecord {
  actor: 'operator' | 'tenant' | 'system';
  action: string;
  total: number;
  succeeded: number;
  invalid: number;
  failed: number;
  jobId?: string | null;
  requestId?: string | null;
}

/** The append-only audit trail of blacklist changes, per tenant, newest first. */
@Injectable()
export class AuditService {
  constructor(private readonly events: AuditRepository) {}

  /** Appends one event; pass the transaction's manager to commit it with what it describes. */
  async record(tenantId: TenantId, event: AuditRecord, tx?: EntityManager): Promise<void> {
    await this.events.append(
      tenantId,
      {
        actor: event.actor,
        action: event.action,
        total: event.total,
        succeeded: event.succeeded,
        invalid: event.invalid,
        failed: event.failed,
        jobId: event.jobId ?? null,
        // The column holds 128 characters; a longer client-sent id is kept as its prefix.
        requestId: event.requestId ? event.requestId.slice(0, 128) : null,
      },
      tx,
    );
  }

  async list(tenantId: TenantId, cursor: string | undefined, limit = 50): Promise<AuditEventPageDto> {
    const before = cursor === undefined ? undefined : decodeCursor(cursor);
    const rows = await this.events.listBefore(tenantId, before, limit + 1);
    const page = rows.slice(0, limit);
    return {
      items: page.map(toDto),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].seq) : null,
    };
  }
}

function toDto(r: AuditEventRecord): AuditEventDto {
  return {
    id: r.id,
    at: r.at.toISOString(),
    actor: r.actor,
    action: r.action,
    total: r.total,
    succeeded: r.succeeded,
    invalid: r.invalid,
    failed: r.failed,
    jobId: r.jobId,
    requestId: r.requestId,
  };
}

const encodeCursor = (seq: string) => Buffer.from(`a${seq}`).toString('base64url');

function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^a\d{1,18}$/.test(text))
    throw new ValidationError('The request is invalid.', { fields: [{ field: 'cursor', messages: ['cursor is not valid'] }] });
  return text.slice(1);
}
