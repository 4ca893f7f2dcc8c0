import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { WebhookEventInput } from './webhook-event-types';
import { WebhookOutboxRepository } from './webhook-outbox.repository';
import { Transactions } from '../platform/database/transactions';
import { WebhookDeliveryWorker } from './webhook-delivery-worker';

/**
 * The transactional outbox's front door. Call it with the EntityManager of the transaction
 * that makes the change: the event and its deliveries commit or roll back with that change,
 * so a rollback never emits and a crash after commit never loses an event.
 *
 *   await dataSource.transaction(async (m) => {
 *     ...the change...
 *     await publisher.publish(m, { type: 'tenant.revoked', tenantId, data: { tenantId, tenant } });
 *   });
 */
@Injectable()
export class WebhookPublisher {
  constructor(
    private readonly outbox: WebhookOutboxRepository,
    private readonly transactions: Transactions,
    private readonly worker: WebhookDeliveryWorker,
  ) {}

  async publish(m: EntityManager, event: WebhookEventInput): Promise<{ eventId: string; deliveries: number }> {
    if (!m.queryRunner?.isTransactionActive) {
      throw new Error('WebhookPublisher.publish needs the EntityManager of an open transaction');
    }
    const eventId = randomUUID();
    const occurredAt = event.occurredAt ?? new Date();
    const body = JSON.stringify({ type: event.type, timestamp: occurredAt.toISOString(), data: event.data });
    // Kept only when some endpoint wants it (the same statement decides).
    const deliveries = await this.outbox.insertEvent(m, {
      id: eventId,
      tenantId: event.tenantId,
      type: event.type,
      body,
      occurredAt,
    });
    // This instance's worker sends it at once; other instances find it by polling.
    if (deliveries > 0) this.transactions.afterCommit(m, () => this.worker.wake());
    return { eventId, deliveries };
  }
}
