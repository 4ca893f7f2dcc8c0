import { currentRequestId } from '../platform/logging/request-context';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ActingParty } from './audit-actor';
import {
  type AuditActor,
  type AuditDetails,
  type AuditEventRecord,
  type AuditFilter,
  AuditRepository,
  type NewAuditEvent,
} from './audit.repository';
import type { AuditEventDto, AuditEventPageDto } from './dto/audit-event.dto';
import type { TenantId } from '../tenants/tenant-id';
import { sequenceCursor } from '../platform/validation/page-cursor';

/** Audit events page newest first by their bigint sequence. */
const AUDIT_CURSOR = sequenceCursor('a', 18);

export interface AuditRecord {
  actor: AuditActor;
  /** Which key or component (audit-actor.ts); omit only where none is known. */
  actorName?: string | null;
  action: string;
  total: number;
  succeeded: number;
  invalid: number;
  failed: number;
  jobId?: string | null;
  requestId?: string | null;
  /** wechat.call: path, errcode, durationMs; authorizer_token.read: tokenKeyId, … (listed as fields of the event). */
  details?: AuditDetails | null;
}

/**
 * A change in the life of a tenant, its keys, webhook endpoints or onboarding sessions, or a
 * console sign-in. Named like the webhook events where one exists.
 */
export type LifecycleAction =
  | 'tenant.created'
  | 'tenant.activated'
  | 'tenant.permissions_changed'
  | 'tenant.revoked'
  | 'tenant.reauthorization_required'
  | 'tenant.deleted'
  | 'tenant.api_key_rotated'
  | 'token_key.issued'
  | 'token_key.revoked'
  | 'webhook_endpoint.created'
  | 'webhook_endpoint.updated'
  | 'webhook_endpoint.deleted'
  | 'webhook_endpoint.secret_rotated'
  | 'authorization_session.created'
  | 'authorization_session.closed'
  | 'console.signed_in';

/** Events per group-commit statement (one array per column). */
const MAX_GROUP = 500;
/** Events per read while an export streams. */
const EXPORT_PAGE = 500;

/**
 * Event-loop turns a group waits for company at most: after the first, it waits another turn
 * only while records keep arriving. Bigger groups under load mean fewer statements (PostgreSQL's
 * cost is mostly per statement) and fewer wake-ups per call; 8 did better than 4, 16, or stopping
 * at 8 waiting (bench/README.md, "What each lever gave"; figures in bench/results/). An idle
 * gateway pays one extra turn (the one that finds nothing new); one request at a time waits no
 * longer than that.
 */
const MAX_GATHER_TURNS = 8;

interface Pending {
  tenantId: TenantId | null;
  event: NewAuditEvent;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * The append-only audit trail (blacklist changes, proxied WeChat calls, token reads, lifecycle
 * changes), per tenant or across tenants for operators, newest first.
 */
@Injectable()
export class AuditService {
  private pending: Pending[] = [];
  private flushing = false;

  constructor(private readonly events: AuditRepository) {}

  /**
   * Appends one event; pass the transaction's manager to commit it with what it describes.
   * Without one, events recorded while a write is in flight are grouped into the next single
   * INSERT (group commit); each caller's promise settles only once its own row is committed.
   */
  async record(tenantId: TenantId | null, event: AuditRecord, tx?: EntityManager): Promise<void> {
    const row = toRow(event);
    if (tx) return this.events.append(tenantId, row, tx);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ tenantId, event: row, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /** A lifecycle change (one thing, done), by `by`; `tenantId` null for what belongs to no tenant. */
  recordChange(
    tenantId: TenantId | null,
    by: ActingParty,
    action: LifecycleAction,
    details?: AuditDetails | null,
    tx?: EntityManager,
  ): Promise<void> {
    // The request that made the change, when there is one (a background task has none).
    const requestId = currentRequestId() ?? null;
    const event = { ...by, action, total: 1, succeeded: 1, invalid: 0, failed: 0, requestId, details: details ?? null };
    return this.record(tenantId, event, tx);
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length > 0) {
      // Turns of the event loop first, so the replies that arrived with this one record theirs
      // into the same statement and commit (see MAX_GATHER_TURNS).
      let seen = -1;
      for (let turn = 0; turn < MAX_GATHER_TURNS && this.pending.length !== seen && this.pending.length < MAX_GROUP; turn++) {
        seen = this.pending.length;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const group = this.pending.splice(0, MAX_GROUP);
      try {
        await this.events.appendMany(group);
        for (const p of group) p.resolve();
      } catch (e) {
        // Nothing of the group was written (one statement): each caller sees the error, as before.
        for (const p of group) p.reject(e);
      }
    }
    this.flushing = false;
  }

  async list(tenantId: TenantId, cursor: string | undefined, limit = 50): Promise<AuditEventPageDto> {
    const before = cursor === undefined ? undefined : AUDIT_CURSOR.decode(cursor);
    return toPage(await this.events.listBefore(tenantId, before, limit + 1), limit);
  }

  /** Operators: every tenant's events (deleted tenants' included) and those of no tenant, narrowed by `filter`. */
  async listAcrossTenants(filter: AuditFilter, cursor: string | undefined, limit = 50): Promise<AuditEventPageDto> {
    const before = cursor === undefined ? undefined : AUDIT_CURSOR.decode(cursor);
    return toPage(await this.events.listAcrossTenants(filter, before, limit + 1), limit);
  }

  /**
   * Every event `filter` matches from `cursor` on, newest first, read a page at a time so an
   * export of any size holds one page in memory. The cursor is checked before the first yield.
   */
  exportAcrossTenants(filter: AuditFilter, cursor: string | undefined): AsyncGenerator<AuditEventDto> {
    let before = cursor === undefined ? undefined : AUDIT_CURSOR.decode(cursor);
    const events = this.events;
    return (async function* () {
      for (;;) {
        const rows = await events.listAcrossTenants(filter, before, EXPORT_PAGE);
        for (const r of rows) yield toDto(r);
        if (rows.length < EXPORT_PAGE) return;
        before = rows[rows.length - 1].seq;
      }
    })();
  }
}

function toPage(rows: AuditEventRecord[], limit: number): AuditEventPageDto {
  const page = rows.slice(0, limit);
  return { items: page.map(toDto), nextCursor: rows.length > limit ? AUDIT_CURSOR.encode(page[page.length - 1].seq) : null };
}

function toRow(event: AuditRecord): NewAuditEvent {
  return {
    actor: event.actor,
    actorName: event.actorName ?? null,
    action: event.action,
    total: event.total,
    succeeded: event.succeeded,
    invalid: event.invalid,
    failed: event.failed,
    jobId: event.jobId ?? null,
    // The column holds 128 characters; a longer client-sent id is kept as its prefix.
    requestId: event.requestId ? event.requestId.slice(0, 128) : null,
    details: event.details ?? null,
  };
}

function toDto(r: AuditEventRecord): AuditEventDto {
  return {
    id: r.id,
    tenantId: r.tenantId,
    at: r.at.toISOString(),
    actor: r.actor,
    actorName: r.actorName,
    action: r.action,
    total: r.total,
    succeeded: r.succeeded,
    invalid: r.invalid,
    failed: r.failed,
    jobId: r.jobId,
    requestId: r.requestId,
    // Events that carry details (wechat.call, authorizer_token.read, lifecycle changes) list them beside the others.
    ...(r.details ?? {}),
  };
}
