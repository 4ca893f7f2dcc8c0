import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { TenantEntity } from '../tenants/tenant.entity';
import { AuthorizationSessionEntity } from './authorization-session.entity';
import type { TenantId } from '../tenants/tenant-id';

export type ExchangeOutcome = 'authorized' | 'already_bound' | 'code_invalid';

/**
 * The outcome of exchanging one authorization code (hashed). Written by whichever of the
 * browser callback and the `authorized` push gets there first, under a lock; the other
 * reads it, so api_query_auth runs once per code.
 */
@Entity({ name: 'authorization_code_exchanges' })
@Check('authorization_code_exchanges_outcome_check', `outcome IN ('authorized', 'already_bound', 'code_invalid')`)
export class AuthorizationCodeExchangeEntity {
  @PrimaryColumn({ primaryKeyConstraintName: 'authorization_code_exchanges_pkey', name: 'code_hash', type: 'char', length: 64 })
  codeHash: string;

  @Index('authorization_code_exchanges_tenant_idx')
  @ForeignKey(() => TenantEntity, { name: 'authorization_code_exchanges_tenant_id_fkey', onDelete: 'CASCADE' })
  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: TenantId;

  @ForeignKey(() => AuthorizationSessionEntity, {
    name: 'authorization_code_exchanges_session_id_fkey',
    onDelete: 'SET NULL',
  })
  @Column({ name: 'session_id', type: 'uuid', nullable: true })
  sessionId: string | null;

  @Column({ type: 'varchar', length: 32 })
  outcome: ExchangeOutcome;

  @Column({ name: 'authorizer_app_id', type: 'varchar', length: 64, nullable: true })
  authorizerAppId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
