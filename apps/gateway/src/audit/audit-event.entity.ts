import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One block/unblock request or one finished blacklist job. Rows are only ever inserted. */
@Entity({ name: 'audit_events' })
export class AuditEventEntity {
  /** Insertion order; the cursor pages by it. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq: string;

  @Column({ type: 'uuid', unique: true })
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ type: 'timestamptz', precision: 3 })
  at: Date;

  @Column({ type: 'varchar', length: 16 })
  actor: 'operator' | 'tenant';

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
}
