// Slightly over 300 lines: the one writer of webhook_events and webhook_deliveries (one outbox):
// publishing, claims with their fairness budgets, attempts, listing, redelivery and retention.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { preparedSql, sql } from '../platform/database/sql';
import type { TenantId } from '../tenants/tenant-id';
import { type EndpointOwner, receivingEndpointsSql } from './webhook-endpoints.repository';
import type { DeliveryAttempt, DeliveryStatus } from './webhook.entity';
import type { KeysetPosition } from '../platform/validation/page-cursor';

/**
 * "Due now" for next_attempt_at, a timestamptz(3): now() itself is rounded to the millisecond on
 * the way in, up to 0.5 ms into the future, so a claim right after could find it not yet due.
 */
const DUE_NOW = "date_trunc('milliseconds', now())";

/** A delivery a worker holds: the lease token must match when the outcome is recorded. */
export interface ClaimedDelivery {
  endpointId: string;
  /** The endpoint's owner (null: the operator's), whose share of the slots the delivery takes. */
  tenantId: TenantId | null;
  eventId: string;
  type: string;
  body: string;
  roundAttempts: number;
  lockToken: string;
}

export interface DeliveryRecord {
  eventId: string;
  type: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  nextAttemptAt: Date | null;
  createdAt: Date;
}

/** What happened on an attempt, and what the delivery becomes. */
export interface AttemptOutcome {
  attempt: DeliveryAttempt;
  status: DeliveryStatus;
  nextAttemptAt: Date | null;
}

/** How claims name the operator's endpoints among owners (tenants are named by their id). */
const OPERATOR_OWNER = 'operator';

/** A claimed delivery's identity, as recordAttempts answers it. */
export function deliveryKey(d: { endpointId: string; eventId: string }): string {
  return `${d.endpointId}/${d.eventId}`;
}

/** The key an owner's share of the delivery slots is counted under. */
export const ownerKey = (tenantId: TenantId | null): string => tenantId ?? OPERATOR_OWNER;

const ownerIs = (owner: EndpointOwner, n: number) =>
  owner === null ? `d.tenant_id IS NULL AND $${n}::uuid IS NULL` : `d.tenant_id = $${n}`;

/**
 * The outbox: webhook_events and webhook_deliveries (one aggregate). Events are written in the
 * publisher's transaction; deliveries are claimed with FOR UPDATE SKIP LOCKED and leased
 * (locked_until), so any instance may send them, none sends the same attempt twice, and a dead
 * instance's claims are taken over once their lease lapses.
 */
@Injectable()
export class WebhookOutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Inside the caller's transaction, in one statement: the event and one pending delivery per
   * endpoint that receives it (receivingEndpointsSql), or nothing at all when none does.
   * Answers how many deliveries were made.
   */
  async insertEvent(
    m: EntityManager,
    event: { id: string; tenantId: TenantId | null; type: string; body: string; occurredAt: Date },
  ): Promise<number> {
    const { rows } = await preparedSql<{ deliveries: number }>(
      m,
      'webhook_events_insert_for_receivers',
      `WITH targets AS (${receivingEndpointsSql('$2', '$3')}),
       ev AS (
         INSERT INTO webhook_events (id, tenant_id, type, body, occurred_at)
         SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM targets) RETURNING id),
       made AS (
         INSERT INTO webhook_deliveries (endpoint_id, event_id, tenant_id, attempts, next_attempt_at)
         SELECT t.id, ev.id, t.tenant_id, '[]'::jsonb, ${DUE_NOW} FROM ev, targets t RETURNING 1)
       SELECT count(*)::int AS deliveries FROM made`,
      [event.id, event.tenantId, event.type, event.body, event.occurredAt],
    );
    return rows[0]?.deliveries ?? 0;
  }

  /**
   * Claims up to `limit` due deliveries for `leaseMs`, at most `perEndpoint` per endpoint
   * counting what is already leased (by any instance), skipping `busyEndpoints` (saturated
   * here); per owner at most `ownerRoom` more (an owner absent from it has `perOwner`), owners
   * keyed by `ownerKey`. One short transaction: rows locked by another claimer are skipped,
   * not waited for.
   */
  async claimDue(opts: {
    limit: number;
    perEndpoint: number;
    busyEndpoints: string[];
    perOwner: number;
    ownerRoom: ReadonlyMap<string, number>;
    leaseMs: number;
  }): Promise<ClaimedDelivery[]> {
    if (opts.limit <= 0) return [];
    const busyOwners = [...opts.ownerRoom].filter(([, room]) => room <= 0).map(([owner]) => owner);
    return this.dataSource.transaction(async (m) => {
      const { rows: candidates } = await preparedSql<{
        endpoint_id: string;
        event_id: string;
        tenant_id: TenantId | null;
        leased: number;
      }>(
        m,
        'webhook_deliveries_claim_candidates',
        `SELECT d.endpoint_id, d.event_id, d.tenant_id,
                (SELECT count(*)::int FROM webhook_deliveries l
                  WHERE l.endpoint_id = d.endpoint_id AND l.locked_until > now()) AS leased
         FROM webhook_deliveries d
         WHERE d.status = 'pending' AND d.next_attempt_at <= now()
           AND (d.locked_until IS NULL OR d.locked_until <= now())
           AND NOT (d.endpoint_id = ANY ($2::uuid[]))
           AND NOT (coalesce(d.tenant_id::text, '${OPERATOR_OWNER}') = ANY ($4::text[]))
           AND (SELECT count(*) FROM webhook_deliveries l WHERE l.endpoint_id = d.endpoint_id AND l.locked_until > now()) < $3
         ORDER BY d.next_attempt_at
         LIMIT $1
         FOR UPDATE OF d SKIP LOCKED`,
        [opts.limit * opts.perEndpoint, opts.busyEndpoints, opts.perEndpoint, busyOwners],
      );
      // Per-endpoint budget: a backlog on one endpoint must not take every slot; per-owner
      // budget: one tenant's many endpoints must not either.
      const taken = new Map<string, number>();
      const room = new Map(opts.ownerRoom);
      const chosen = candidates.filter((c) => {
        const n = taken.get(c.endpoint_id) ?? c.leased;
        const owner = ownerKey(c.tenant_id);
        const left = room.get(owner) ?? opts.perOwner;
        if (n >= opts.perEndpoint || left <= 0) return false;
        taken.set(c.endpoint_id, n + 1);
        room.set(owner, left - 1);
        return true;
      });
      const picked = chosen.slice(0, opts.limit);
      if (picked.length === 0) return [];
      const lockToken = randomUUID();
      const { rows } = await preparedSql<{
        endpoint_id: string;
        tenant_id: TenantId | null;
        event_id: string;
        type: string;
        body: string;
        round_attempts: number;
      }>(
        m,
        'webhook_deliveries_claim_lease',
        `UPDATE webhook_deliveries d
         SET locked_until = now() + make_interval(secs => $4::double precision / 1000), lock_token = $3
         FROM webhook_events ev, unnest($1::uuid[], $2::uuid[]) AS k (endpoint_id, event_id)
         WHERE d.endpoint_id = k.endpoint_id AND d.event_id = k.event_id AND ev.id = d.event_id
         RETURNING d.endpoint_id, d.tenant_id, d.event_id, ev.type, ev.body, d.round_attempts`,
        [picked.map((c) => c.endpoint_id), picked.map((c) => c.event_id), lockToken, opts.leaseMs],
      );
      return rows.map((r) => ({
        endpointId: r.endpoint_id,
        tenantId: r.tenant_id,
        eventId: r.event_id,
        type: r.type,
        body: r.body,
        roundAttempts: r.round_attempts,
        lockToken,
      }));
    });
  }

  /**
   * Records each attempt and its delivery's next state, in one statement, where the lease is still
   * ours; answers the keys (deliveryKey) of those recorded. One left out was taken over by another
   * instance after our lease lapsed: its own attempt counts.
   */
  async recordAttempts(items: { delivery: ClaimedDelivery; outcome: AttemptOutcome }[]): Promise<Set<string>> {
    if (items.length === 0) return new Set();
    const { rows } = await preparedSql<{ endpoint_id: string; event_id: string }>(
      this.dataSource,
      'webhook_deliveries_record_attempts',
      `UPDATE webhook_deliveries d
       SET attempts = d.attempts || jsonb_build_array(u.attempt),
           attempt_count = d.attempt_count + 1, round_attempts = d.round_attempts + 1,
           status = u.status, next_attempt_at = u.next_attempt_at, locked_until = NULL, lock_token = NULL, updated_at = now()
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::jsonb[], $5::text[], $6::timestamptz[])
         AS u (endpoint_id, event_id, lock_token, attempt, status, next_attempt_at)
       WHERE d.endpoint_id = u.endpoint_id AND d.event_id = u.event_id AND d.lock_token = u.lock_token
       RETURNING d.endpoint_id, d.event_id`,
      [
        items.map((i) => i.delivery.endpointId),
        items.map((i) => i.delivery.eventId),
        items.map((i) => i.delivery.lockToken),
        items.map((i) => JSON.stringify(i.outcome.attempt)),
        items.map((i) => i.outcome.status),
        items.map((i) => i.outcome.nextAttemptAt),
      ],
    );
    return new Set(rows.map((r) => deliveryKey({ endpointId: r.endpoint_id, eventId: r.event_id })));
  }

  /** A claimed delivery whose endpoint stopped receiving (disabled, tenant deleted) ends failed, unsent. */
  async abandon(d: ClaimedDelivery): Promise<void> {
    await sql(
      this.dataSource,
      `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, locked_until = NULL, lock_token = NULL, updated_at = now()
       WHERE endpoint_id = $1 AND event_id = $2 AND lock_token = $3`,
      [d.endpointId, d.eventId, d.lockToken],
    );
  }

  /** An endpoint's deliveries, newest first; `limit + 1` rows so the caller sees whether more follow. */
  async listDeliveries(
    owner: EndpointOwner,
    endpointId: string,
    opts: { status?: DeliveryStatus; limit: number; before?: KeysetPosition },
  ): Promise<DeliveryRecord[]> {
    const params: unknown[] = [owner, endpointId, opts.limit + 1];
    let where = `${ownerIs(owner, 1)} AND d.endpoint_id = $2`;
    if (opts.status) {
      params.push(opts.status);
      where += ` AND d.status = $${params.length}`;
    }
    if (opts.before) {
      params.push(opts.before.at, opts.before.id);
      where += ` AND (d.created_at, d.event_id) < ($${params.length - 1}, $${params.length})`;
    }
    const { rows } = await sql<{
      event_id: string;
      type: string;
      status: DeliveryStatus;
      attempts: DeliveryAttempt[];
      next_attempt_at: Date | null;
      created_at: Date;
    }>(
      this.dataSource,
      `SELECT d.event_id, ev.type, d.status, d.attempts, d.next_attempt_at, d.created_at
       FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
       WHERE ${where} ORDER BY d.created_at DESC, d.event_id DESC LIMIT $3`,
      params,
    );
    return rows.map((r) => ({
      eventId: r.event_id,
      type: r.type,
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: r.status === 'pending' ? r.next_attempt_at : null,
      createdAt: r.created_at,
    }));
  }

  /**
   * Sends the event again as a new attempt with a fresh retry schedule (same event id, so
   * the same webhook-id). A delivery in flight keeps its lease; its outcome is recorded as usual.
   */
  async redeliver(owner: EndpointOwner, endpointId: string, eventId: string): Promise<boolean> {
    const { count } = await sql(
      this.dataSource,
      `UPDATE webhook_deliveries d SET status = 'pending', next_attempt_at = ${DUE_NOW}, round_attempts = 0, updated_at = now()
       WHERE ${ownerIs(owner, 1)} AND d.endpoint_id = $2 AND d.event_id = $3`,
      [owner, endpointId, eventId],
    );
    return count > 0;
  }

  /** For the pending gauge: deliveries not yet delivered or failed. */
  async countPending(): Promise<number> {
    const { rows } = await sql<{ n: number }>(
      this.dataSource,
      `SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'pending'`,
    );
    return rows[0].n;
  }

  /**
   * Retention across owners: up to `limit` events published more than `days` ago with no delivery
   * still pending, and their delivery history (deliveries first, in the same transaction).
   */
  async deleteEventsOlderThan(days: number, limit: number): Promise<{ events: number; deliveries: number }> {
    return this.dataSource.transaction(async (m) => {
      const { rows } = await sql<{ id: string }>(
        m,
        `SELECT e.id FROM webhook_events e
          WHERE e.created_at < now() - make_interval(days => $1)
            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status = 'pending')
          ORDER BY e.created_at LIMIT $2`,
        [days, limit],
      );
      const ids = rows.map((r) => r.id);
      if (ids.length === 0) return { events: 0, deliveries: 0 };
      const deliveries = await sql(m, `DELETE FROM webhook_deliveries WHERE event_id = ANY($1::uuid[])`, [ids]);
      const events = await sql(m, `DELETE FROM webhook_events WHERE id = ANY($1::uuid[])`, [ids]);
      return { events: events.count, deliveries: deliveries.count };
    });
  }
}
