import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { TenantEntity } from '../../tenants/tenant.entity';
import type { TenantId } from '../../tenants/tenant-id';

// Mirrors migrations/1795630500000-TokenKeysAndCallAudit.ts exactly (names included) so
// migration:generate reports no drift; TokenKeysRepository reads and writes it.
/** A key that may read one tenant's authorizer token and nothing else; only its SHA-256 is kept. */
@Entity({ name: 'token_keys' })
@Index('token_keys_key_hash_uq', ['keyHash'], { unique: true })
@Index('token_keys_tenant_idx', ['tenantId', 'createdAt', 'id'])
export class TokenKeyEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'token_keys_pkey' })
  id: string;

  @ForeignKey(() => TenantEntity, { name: 'token_keys_tenant_id_fkey', onDelete: 'CASCADE' })
  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: TenantId;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ name: 'key_hash', type: 'char', length: 64 })
  keyHash: string;

  @Column({ name: 'created_at', type: 'timestamptz', precision: 3, default: () => 'now()' })
  createdAt: Date;
}
