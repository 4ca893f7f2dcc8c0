import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { ItemOutcome, JobStatus } from './dto/blacklist.dto';
import type { BlacklistAction } from './openid-validation';

// Mappings of the blacklist tables (migrations/1795630100000-Blacklist.ts). The hot paths use
// SQL in BlacklistJobStore; these document the shape and serve ad-hoc reads.

@Entity({ name: 'blacklist_jobs' })
export class BlacklistJobEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'tenant_id', type: 'uuid' }) tenantId: string;
  @Column({ type: 'varchar', length: 16 }) action: BlacklistAction;
  @Column({ type: 'varchar', length: 24 }) status: JobStatus;
  @Column({ type: 'integer' }) total: number;
  @Column({ name: 'chunk_count', type: 'integer' }) chunkCount: number;
  @Column({ type: 'integer' }) succeeded: number;
  @Column({ type: 'integer' }) invalid: number;
  @Column({ type: 'integer' }) failed: number;
  @Column({ type: 'integer' }) cancelled: number;
  @Column({ type: 'varchar', length: 16 }) actor: 'operator' | 'tenant';
  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true }) requestId: string | null;
  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true }) errorCode: string | null;
  @Column({ name: 'error_message', type: 'text', nullable: true }) errorMessage: string | null;
  @Column({ name: 'resume_at', type: 'timestamptz', nullable: true }) resumeAt: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true }) startedAt: Date | null;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt: Date | null;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity({ name: 'blacklist_job_chunks' })
export class BlacklistJobChunkEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' }) tenantId: string;
  @PrimaryColumn({ name: 'job_id', type: 'uuid' }) jobId: string;
  @PrimaryColumn({ name: 'chunk_no', type: 'integer' }) chunkNo: number;
  @Column({ type: 'varchar', length: 16 }) state: 'pending' | 'in_flight' | 'done' | 'cancelled';
  @Column({ name: 'claimed_by', type: 'uuid', nullable: true }) claimedBy: string | null;
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true }) leaseUntil: Date | null;
  @Column({ type: 'integer' }) attempts: number;
}

@Entity({ name: 'blacklist_job_items' })
export class BlacklistJobItemEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' }) tenantId: string;
  @PrimaryColumn({ name: 'job_id', type: 'uuid' }) jobId: string;
  /** Position among the job's distinct openids; chunk = seq / 20. */
  @PrimaryColumn({ type: 'integer' }) seq: number;
  @Column({ type: 'varchar', length: 64 }) openid: string;
  @Column({ type: 'varchar', length: 16 }) outcome: ItemOutcome;
  @Column({ type: 'varchar', length: 64, nullable: true }) code: string | null;
  @Column({ type: 'varchar', length: 500, nullable: true }) message: string | null;
}

@Entity({ name: 'blacklist_idempotency_keys' })
export class BlacklistIdempotencyKeyEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' }) tenantId: string;
  @PrimaryColumn({ name: 'idempotency_key', type: 'varchar', length: 255 }) idempotencyKey: string;
  @Column({ name: 'request_hash', type: 'char', length: 64 }) requestHash: string;
  @Column({ type: 'varchar', length: 16 }) state: 'in_progress' | 'completed';
  @Column({ type: 'jsonb', nullable: true }) response: unknown;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt: Date | null;
}

@Entity({ name: 'wechat_quota_blocks' })
export class WeChatQuotaBlockEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' }) tenantId: string;
  @PrimaryColumn({ type: 'varchar', length: 64 }) api: string;
  @Column({ name: 'blocked_until', type: 'timestamptz' }) blockedUntil: Date;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

export const BLACKLIST_ENTITIES = [
  BlacklistJobEntity,
  BlacklistJobChunkEntity,
  BlacklistJobItemEntity,
  BlacklistIdempotencyKeyEntity,
  WeChatQuotaBlockEntity,
];
