import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const TENANT_STATUSES = ['pending', 'active', 'revoked', 'reauthorization_required'] as const;

/**
 * pending: created, never authorized; active: authorized, tokens held; revoked: the merchant
 * cancelled the authorization; reauthorization_required: WeChat rejected the refresh token
 * (61023) or the authorization is gone (61003).
 */
export type TenantStatus = (typeof TENANT_STATUSES)[number];

// Mirrors migrations/1795630001921-TenantOnboarding.ts exactly (names included), so that
// migration:generate reports no drift; the schema itself changes only through migrations.
@Entity({ name: 'tenants' })
@Check('tenants_status_check', `status IN ('pending', 'active', 'revoked', 'reauthorization_required')`)
@Index('tenants_external_id_live_uq', ['externalId'], {
  unique: true,
  where: 'deleted_at IS NULL AND external_id IS NOT NULL',
})
@Index('tenants_api_key_hash_uq', ['apiKeyHash'], { unique: true })
@Index('tenants_live_page_idx', ['createdAt', 'id'], { where: 'deleted_at IS NULL' })
@Index('tenants_live_status_page_idx', ['status', 'createdAt', 'id'], { where: 'deleted_at IS NULL' })
export class TenantEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'tenants_pkey' })
  id: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ name: 'external_id', type: 'varchar', length: 128, nullable: true })
  externalId: string | null;

  @Column({ type: 'varchar', length: 32, default: 'pending' })
  status: TenantStatus;

  /** SHA-256 (hex) of the tenant API key; the key itself is shown once and never stored. */
  @Column({ name: 'api_key_hash', type: 'char', length: 64, select: false })
  apiKeyHash: string;

  @Column({
    name: 'created_at',
    type: 'timestamptz',
    precision: 3,
    default: () => 'now()',
    insert: false,
    update: false,
  })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()', insert: false })
  updatedAt: Date;

  /** Origins (`scheme://host[:port]`) a web-authorization returnUrl may point at; none: every returnUrl is refused. */
  @Column({ name: 'web_oauth_origins', type: 'text', array: true, default: () => `'{}'` })
  webOAuthOrigins: string[];

  /** Soft delete: the row stays so audit history keeps its tenant. */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true, select: false })
  deletedAt: Date | null;
}
