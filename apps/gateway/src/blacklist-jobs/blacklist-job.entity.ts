import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { TenantEntity } from '../tenants/tenant.entity';
import type { BlacklistAction } from '../blacklist/openid-validation';
import type { ItemOutcome, JobStatus } from './job-status';
import type { TenantId } from '../tenants/tenant-id';

// Mappings of the job tables (migrations/1795630100000-Blacklist.ts, 1795631000000-JobRetryWindowState.ts). BlacklistJobsRepository
// reads a job through Repository<BlacklistJobEntity>; chunks and items are only touched by its
// hand-written SQL (SKIP LOCKED claims, unnest inserts, counters), so for them these classes are
// the schema description the drift test checks: they mirror the migration exactly (constraint
// and index names included) so migration:generate reports no drift.

const TENANT_FK = (name: string) => ForeignKey(() => TenantEntity, { name, onDelete: 'CASCADE' });
const NOW = () => 'now()';

@Entity({ name: 'blacklist_jobs' })
@Check('blacklist_jobs_action_check', `action IN ('block', 'unblock')`)
@Check(
  'blacklist_jobs_status_check',
  `status IN ('queued', 'running', 'paused', 'succeeded', 'partially_failed', 'failed', 'cancelled')`,
)
@Check('blacklist_jobs_total_check', `total > 0`)
@Check('blacklist_jobs_chunk_count_check', `chunk_count > 0`)
@Check('blacklist_jobs_actor_check', `actor IN ('operator', 'tenant')`)
@Index('blacklist_jobs_tenant_idx', ['tenantId', 'createdAt'])
export class BlacklistJobEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'blacklist_jobs_pkey' }) id: string;
  @TENANT_FK('blacklist_jobs_tenant_id_fkey') @Column({ name: 'tenant_id', type: 'uuid' }) tenantId: TenantId;
  @Column({ type: 'varchar', length: 16 }) action: BlacklistAction;
  @Column({ type: 'varchar', length: 24, default: 'queued' }) status: JobStatus;
  @Column({ type: 'integer' }) total: number;
  @Column({ name: 'chunk_count', type: 'integer' }) chunkCount: number;
  @Column({ type: 'integer', default: 0 }) succeeded: number;
  @Column({ type: 'integer', default: 0 }) invalid: number;
  @Column({ type: 'integer', default: 0 }) failed: number;
  @Column({ type: 'integer', default: 0 }) cancelled: number;
  /** Openids sent again after a call carrying them had an unknown outcome (details.resentAfterUnknownOutcome). */
  @Column({ name: 'resent_after_unknown_outcome', type: 'integer', default: 0 }) resentAfterUnknownOutcome: number;
  @Column({ type: 'varchar', length: 16 }) actor: 'operator' | 'tenant';
  @Column({ name: 'actor_name', type: 'varchar', length: 80, nullable: true }) actorName: string | null;
  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true }) requestId: string | null;
  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true }) errorCode: string | null;
  @Column({ name: 'error_message', type: 'text', nullable: true }) errorMessage: string | null;
  @Column({ name: 'resume_at', type: 'timestamptz', precision: 3, nullable: true }) resumeAt: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz', precision: 3, default: NOW }) createdAt: Date;
  @Column({ name: 'started_at', type: 'timestamptz', precision: 3, nullable: true }) startedAt: Date | null;
  @Column({ name: 'finished_at', type: 'timestamptz', precision: 3, nullable: true }) finishedAt: Date | null;
  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3, default: NOW }) updatedAt: Date;
}

const JOB_FK = (name: string) => ForeignKey(() => BlacklistJobEntity, { name, onDelete: 'CASCADE' });

@Entity({ name: 'blacklist_job_chunks' })
@Check('blacklist_job_chunks_state_check', `state IN ('pending', 'in_flight', 'done', 'cancelled')`)
// Only open chunks are ever searched; done ones leave this index.
@Index('blacklist_job_chunks_open_idx', ['tenantId', 'jobId', 'chunkNo'], { where: `state IN ('pending', 'in_flight')` })
@Index('blacklist_job_chunks_lease_idx', ['claimedBy'], { where: `state = 'in_flight'` })
export class BlacklistJobChunkEntity {
  @TENANT_FK('blacklist_job_chunks_tenant_id_fkey')
  @PrimaryColumn({ primaryKeyConstraintName: 'blacklist_job_chunks_pkey', name: 'tenant_id', type: 'uuid' })
  tenantId: TenantId;
  @JOB_FK('blacklist_job_chunks_job_id_fkey')
  @PrimaryColumn({ primaryKeyConstraintName: 'blacklist_job_chunks_pkey', name: 'job_id', type: 'uuid' })
  jobId: string;
  @PrimaryColumn({ primaryKeyConstraintName: 'blacklist_job_chunks_pkey', name: 'chunk_no', type: 'integer' }) chunkNo: number;
  @Column({ type: 'varchar', length: 16, default: 'pending' }) state: 'pending' | 'in_flight' | 'done' | 'cancelled';
  @Column({ name: 'claimed_by', type: 'uuid', nullable: true }) claimedBy: string | null;
  @Column({ name: 'lease_until', type: 'timestamptz', precision: 3, nullable: true }) leaseUntil: Date | null;
  @Column({ type: 'integer', default: 0 }) attempts: number;
  /** When the chunk's first transient failure was recorded (database clock): its retry window's start. */
  @Column({ name: 'retry_since', type: 'timestamptz', precision: 3, nullable: true }) retrySince: Date | null;
  /** Transient failures recorded so far: the backoff step, continued by whichever process sends next. */
  @Column({ name: 'retry_attempts', type: 'integer', default: 0 }) retryAttempts: number;
}

@Entity({ name: 'blacklist_job_items' })
@Check('blacklist_job_items_outcome_check', `outcome IN ('pending', 'succeeded', 'invalid', 'failed', 'cancelled')`)
export class BlacklistJobItemEntity {
  @TENANT_FK('blacklist_job_items_tenant_id_fkey')
  @PrimaryColumn({ primaryKeyConstraintName: 'blacklist_job_items_pkey', name: 'tenant_id', type: 'uuid' })
  tenantId: TenantId;
  @JOB_FK('blacklist_job_items_job_id_fkey')
  @PrimaryColumn({ primaryKeyConstraintName: 'blacklist_job_items_pkey', name: 'job_id', type: 'uuid' })
  jobId: string;
  /** Position among the job's distinct openids; chunk = seq / 20. */
  @PrimaryColumn({ primaryKeyConstraintName: 'blacklist_job_items_pkey', type: 'integer' }) seq: number;
  @Column({ type: 'varchar', length: 64 }) openid: string;
  @Column({ type: 'varchar', length: 16, default: 'pending' }) outcome: ItemOutcome;
  @Column({ type: 'varchar', length: 64, nullable: true }) code: string | null;
  @Column({ type: 'varchar', length: 500, nullable: true }) message: string | null;
  /** A call carrying this openid had an unknown outcome: it is read back before it may end failed or cancelled. */
  @Column({ name: 'outcome_unknown', type: 'boolean', default: false }) outcomeUnknown: boolean;
}

export const BLACKLIST_JOB_ENTITIES = [BlacklistJobEntity, BlacklistJobChunkEntity, BlacklistJobItemEntity];
