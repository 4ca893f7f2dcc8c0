import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { TenantEntity } from '../tenants/tenant.entity';
import { AuthorizationSessionEntity } from './authorization-session.entity';
import type { TenantId } from '../tenants/tenant-id';

/**
 * A pre-auth code minted for a session's page view (hashed). The `authorized` push carries
 * it back, which is how a push finds its tenant before the account is bound.
 */
@Entity({ name: 'pre_auth_codes' })
export class PreAuthCodeEntity {
  @PrimaryColumn({ primaryKeyConstraintName: 'pre_auth_codes_pkey', name: 'code_hash', type: 'char', length: 64 })
  codeHash: string;

  @Index('pre_auth_codes_tenant_idx')
  @ForeignKey(() => TenantEntity, { name: 'pre_auth_codes_tenant_id_fkey', onDelete: 'CASCADE' })
  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: TenantId;

  @Index('pre_auth_codes_session_idx')
  @ForeignKey(() => AuthorizationSessionEntity, { name: 'pre_auth_codes_session_id_fkey', onDelete: 'CASCADE' })
  @Column({ name: 'session_id', type: 'uuid' })
  sessionId: string;

  /** The code itself, sealed, while a reload of the session's page may reuse it; NULL once used (or retired). */
  @Column({ name: 'code_sealed', type: 'text', nullable: true, select: false })
  codeSealed: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
