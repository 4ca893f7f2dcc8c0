import { Check, Column, Entity, ForeignKey, Generated, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { TenantEntity } from '../tenants/tenant.entity';
import type { TenantId } from '../tenants/tenant-id';

// Mirrors migrations/1795630100000-Blacklist.ts, 1796700100000-AuditActorNames.ts and 1796700400000-AuditListingIndexes.ts (names included) so migration:generate reports
// no drift. The append-only trigger cannot be expressed here; TypeORM does not compare triggers.
/** One block/unblock request, finished blacklist job, proxied WeChat call or token read. Rows are only ever inserted. */
@Entity({ name: 'audit_events' })
@Check('audit_events_actor_check', `actor IN ('operator', 'tenant', 'token_key', 'system')`)
@Index('audit_events_tenant_idx', ['tenantId', 'seq'])
@Index('audit_events_action_idx', ['action', 'seq'])
@Index('audit_events_at_idx', ['at'])
@Unique('audit_events_id_key', ['id'])
export class AuditEventEntity {
  /** Insertion order; the cursor pages by it. */
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'audit_events_pkey' })
  seq: string;

  @Column({ type: 'uuid' })
  @Generated('uuid')
  id: string;

  /** Null for events of no tenant (console sign-in, operator webhook endpoints). Deletion is soft, so no cascade. */
  @ForeignKey(() => TenantEntity, { name: 'audit_events_tenant_id_fkey', onDelete: 'RESTRICT' })
  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId: TenantId | null;

  @Column({ type: 'timestamptz', precision: 3, default: () => 'now()' })
  at: Date;

  @Column({ type: 'varchar', length: 16 })
  /** 'token_key': a token-reading key (migration 1795630500000); 'system': the gateway itself (token recovery, migration 1795630700000). */
  actor: 'operator' | 'tenant' | 'token_key' | 'system';

  /** Which key or component acted (audit/audit-actor.ts); null on events recorded before names existed. */
  @Column({ name: 'actor_name', type: 'varchar', length: 80, nullable: true })
  actorName: string | null;

  @Column({ type: 'varchar', length: 32 })
  action: string;

  @Column({ type: 'integer' })
  total: number;

  @Column({ type: 'integer' })
  succeeded: number;

  @Column({ type: 'integer' })
  invalid: number;

  @Column({ type: 'integer' })
  failed: number;

  @Column({ name: 'job_id', type: 'uuid', nullable: true })
  jobId: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  /** What an event other than a blacklist change carries (a proxied call: path, errcode, durationMs). */
  @Column({ type: 'jsonb', nullable: true })
  details: Record<string, unknown> | null;
}
