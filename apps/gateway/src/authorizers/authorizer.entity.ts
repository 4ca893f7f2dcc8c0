import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { TenantEntity } from '../tenants/tenant.entity';
import type { TenantId } from '../tenants/tenant-id';

/** The merchant's Official Account bound to a tenant, with its tokens (encrypted at rest). */
@Entity({ name: 'authorizers' })
@Index('authorizers_app_id_uq', ['appId'], { unique: true })
export class AuthorizerEntity {
  @PrimaryColumn({ primaryKeyConstraintName: 'authorizers_pkey', name: 'tenant_id', type: 'uuid' })
  @ForeignKey(() => TenantEntity, { name: 'authorizers_tenant_id_fkey', onDelete: 'CASCADE' })
  tenantId: TenantId;

  @Column({ name: 'app_id', type: 'varchar', length: 64 })
  appId: string;

  @Column({ name: 'nick_name', type: 'varchar', length: 256, nullable: true })
  nickName: string | null;

  @Column({ name: 'principal_name', type: 'varchar', length: 256, nullable: true })
  principalName: string | null;

  /** The original id (gh_…): a push's ToUserName must name it. NULL until the first info read. */
  @Column({ name: 'user_name', type: 'varchar', length: 64, nullable: true })
  userName: string | null;

  @Column({ name: 'service_type', type: 'integer', nullable: true })
  serviceType: number | null;

  @Column({ name: 'verify_type', type: 'integer', nullable: true })
  verifyType: number | null;

  @Column({ type: 'boolean', default: false })
  verified: boolean;

  @Column({ name: 'permission_sets', type: 'integer', array: true, default: () => `'{}'` })
  permissionSets: number[];

  // access_token and refresh_token hold ciphertext, sealed by AuthorizersRepository with the
  // app's SecretCipher (no column transformer: the key belongs to the app, not the process).
  @Column({ name: 'access_token', type: 'text', nullable: true, select: false })
  accessToken: string | null;

  @Column({ name: 'access_token_expires_at', type: 'timestamptz', nullable: true })
  accessTokenExpiresAt: Date | null;

  @Column({ name: 'refresh_token', type: 'text', nullable: true, select: false })
  refreshToken: string | null;

  @Column({ name: 'authorized_at', type: 'timestamptz', default: () => 'now()' })
  authorizedAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
