import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TenantEntity } from '../tenants/tenant.entity';
import type { TenantId } from '../tenants/tenant-id';

/**
 * One onboarding attempt for a tenant. The URL token is the merchant's credential, so only
 * its SHA-256 is stored; a session lives 24 h and ends when an authorization completes.
 */
@Entity({ name: 'authorization_sessions' })
@Index('authorization_sessions_token_hash_uq', ['tokenHash'], { unique: true })
export class AuthorizationSessionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'authorization_sessions_pkey' })
  id: string;

  @Index('authorization_sessions_tenant_idx')
  @ForeignKey(() => TenantEntity, { name: 'authorization_sessions_tenant_id_fkey', onDelete: 'CASCADE' })
  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: TenantId;

  @Column({ name: 'token_hash', type: 'char', length: 64, select: false })
  tokenHash: string;

  @Column({ name: 'auth_type', type: 'smallint', default: 1 })
  authType: number;

  @Column({ name: 'return_url', type: 'text', nullable: true })
  returnUrl: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
