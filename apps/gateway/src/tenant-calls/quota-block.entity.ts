import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { TenantEntity } from '../tenants/tenant.entity';
import type { TenantId } from '../tenants/tenant-id';

// wechat_quota_blocks (migrations/1795630100000-Blacklist.ts). QuotaBlocksRepository writes and
// reads it in SQL (an upsert keeping the later block, reads against the database clock); this
// class is the schema description the drift test checks, mirrored exactly so migration:generate
// reports no drift.
const NOW = () => 'now()';

@Entity({ name: 'wechat_quota_blocks' })
export class WeChatQuotaBlockEntity {
  @ForeignKey(() => TenantEntity, { name: 'wechat_quota_blocks_tenant_id_fkey', onDelete: 'CASCADE' })
  @PrimaryColumn({ primaryKeyConstraintName: 'wechat_quota_blocks_pkey', name: 'tenant_id', type: 'uuid' })
  tenantId: TenantId;
  @PrimaryColumn({ primaryKeyConstraintName: 'wechat_quota_blocks_pkey', type: 'varchar', length: 64 }) api: string;
  @Column({ name: 'blocked_until', type: 'timestamptz', precision: 3 }) blockedUntil: Date;
  @Column({ name: 'created_at', type: 'timestamptz', precision: 3, default: NOW }) createdAt: Date;
}
