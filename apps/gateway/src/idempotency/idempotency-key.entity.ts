import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { TenantEntity } from '../tenants/tenant.entity';
import type { TenantId } from '../tenants/tenant-id';

// blacklist_idempotency_keys (migrations/1795630100000-Blacklist.ts), mirrored exactly so
// migration:generate reports no drift. IdempotencyRepository completes and releases keys
// through Repository<IdempotencyKeyEntity>; the claim is an INSERT … ON CONFLICT in SQL.
const NOW = () => 'now()';

@Entity({ name: 'blacklist_idempotency_keys' })
@Check('blacklist_idempotency_keys_state_check', `state IN ('in_progress', 'completed')`)
@Index('blacklist_idempotency_keys_created_idx', ['createdAt'])
export class IdempotencyKeyEntity {
  @ForeignKey(() => TenantEntity, { name: 'blacklist_idempotency_keys_tenant_id_fkey', onDelete: 'CASCADE' })
  @PrimaryColumn({ primaryKeyConstraintName: 'blacklist_idempotency_keys_pkey', name: 'tenant_id', type: 'uuid' })
  tenantId: TenantId;
  @PrimaryColumn({
    primaryKeyConstraintName: 'blacklist_idempotency_keys_pkey',
    name: 'idempotency_key',
    type: 'varchar',
    length: 255,
  })
  idempotencyKey: string;
  @Column({ name: 'request_hash', type: 'char', length: 64 }) requestHash: string;
  @Column({ type: 'varchar', length: 16, default: 'in_progress' }) state: 'in_progress' | 'completed';
  @Column({ type: 'jsonb', nullable: true }) response: unknown;
  @Column({ name: 'created_at', type: 'timestamptz', precision: 3, default: NOW }) createdAt: Date;
  @Column({ name: 'completed_at', type: 'timestamptz', precision: 3, nullable: true }) completedAt: Date | null;
}
