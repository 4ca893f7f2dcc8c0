import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { TenantEntity } from '../tenants/tenant.entity';
import type { TenantId } from '../tenants/tenant-id';

// Mappings of the webhook tables (migrations/1795630200000-Webhooks.ts), names included, so
// migration:generate finds no drift. The repositories use SQL; these document the shape.

const TENANT_FK = (name: string) => ForeignKey(() => TenantEntity, { name, onDelete: 'CASCADE' });
const NOW = () => 'now()';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One attempt as the deliveries route shows it. */
export interface DeliveryAttempt {
  at: string;
  httpStatus: number | null;
  durationMs: number;
  error: string | null;
}

@Entity({ name: 'webhook_endpoints' })
@Index('webhook_endpoints_tenant_page_idx', ['tenantId', 'createdAt', 'id'])
@Index('webhook_endpoints_operator_page_idx', ['createdAt', 'id'], { where: 'tenant_id IS NULL' })
export class WebhookEndpointEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'webhook_endpoints_pkey' }) id: string;
  /** Null: an operator endpoint, receiving every tenant's events. */
  @TENANT_FK('webhook_endpoints_tenant_id_fkey')
  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId: TenantId | null;
  @Column({ type: 'varchar', length: 2048 }) url: string;
  /** Empty: every type. */
  @Column({ type: 'text', array: true }) types: string[];
  @Column({ type: 'varchar', length: 500, nullable: true }) description: string | null;
  @Column({ type: 'boolean', default: true }) enabled: boolean;
  /** Sealed with SecretCipher. */
  @Column({ type: 'text' }) secret: string;
  @Column({ name: 'previous_secret', type: 'text', nullable: true }) previousSecret: string | null;
  @Column({ name: 'previous_secret_expires_at', type: 'timestamptz', precision: 3, nullable: true })
  previousSecretExpiresAt: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz', precision: 3, default: NOW }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3, default: NOW }) updatedAt: Date;
}

@Entity({ name: 'webhook_events' })
@Index('webhook_events_tenant_idx', ['tenantId'])
@Index('webhook_events_created_idx', ['createdAt'])
export class WebhookEventEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'webhook_events_pkey' }) id: string;
  @TENANT_FK('webhook_events_tenant_id_fkey')
  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId: TenantId | null;
  @Column({ type: 'varchar', length: 64 }) type: string;
  /** The exact JSON signed and sent. */
  @Column({ type: 'text' }) body: string;
  @Column({ name: 'occurred_at', type: 'timestamptz', precision: 3 }) occurredAt: Date;
  @Column({ name: 'created_at', type: 'timestamptz', precision: 3, default: NOW }) createdAt: Date;
}

@Entity({ name: 'webhook_deliveries' })
@Check('webhook_deliveries_status_check', `status IN ('pending', 'delivered', 'failed')`)
@Index('webhook_deliveries_due_idx', ['nextAttemptAt'], { where: `status = 'pending'` })
@Index('webhook_deliveries_leased_idx', ['endpointId'], { where: 'locked_until IS NOT NULL' })
@Index('webhook_deliveries_page_idx', ['endpointId', 'createdAt', 'eventId'])
@Index('webhook_deliveries_event_idx', ['eventId'])
@Index('webhook_deliveries_tenant_idx', ['tenantId'])
export class WebhookDeliveryEntity {
  @ForeignKey(() => WebhookEndpointEntity, { name: 'webhook_deliveries_endpoint_id_fkey', onDelete: 'CASCADE' })
  @PrimaryColumn({ primaryKeyConstraintName: 'webhook_deliveries_pkey', name: 'endpoint_id', type: 'uuid' })
  endpointId: string;
  @ForeignKey(() => WebhookEventEntity, { name: 'webhook_deliveries_event_id_fkey', onDelete: 'CASCADE' })
  @PrimaryColumn({ primaryKeyConstraintName: 'webhook_deliveries_pkey', name: 'event_id', type: 'uuid' })
  eventId: string;
  /** The endpoint's owner (null: operator endpoint), not the event's tenant. */
  @TENANT_FK('webhook_deliveries_tenant_id_fkey')
  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId: TenantId | null;
  @Column({ type: 'varchar', length: 16, default: 'pending' }) status: DeliveryStatus;
  @Column({ type: 'jsonb' }) attempts: DeliveryAttempt[];
  @Column({ name: 'attempt_count', type: 'integer', default: 0 }) attemptCount: number;
  /** Attempts since the delivery was published or last redelivered: the position in the retry schedule. */
  @Column({ name: 'round_attempts', type: 'integer', default: 0 }) roundAttempts: number;
  @Column({ name: 'next_attempt_at', type: 'timestamptz', precision: 3, nullable: true }) nextAttemptAt: Date | null;
  @Column({ name: 'locked_until', type: 'timestamptz', precision: 3, nullable: true }) lockedUntil: Date | null;
  @Column({ name: 'lock_token', type: 'uuid', nullable: true }) lockToken: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', precision: 3, default: NOW }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3, default: NOW }) updatedAt: Date;
}

export const WEBHOOK_ENTITIES = [WebhookEndpointEntity, WebhookEventEntity, WebhookDeliveryEntity];
