import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type ExchangeOutcome = 'authorized' | 'already_bound' | 'code_invalid';

/**
 * The outcome of exchanging one authorization code (hashed). Written by whichever of the
 * browser callback and the `authorized` push gets there first, under a lock; the other
 * reads it, so api_query_auth runs once per code.
 */
@Entity({ name: 'authorization_code_exchanges' })
export class AuthorizationCodeExchangeEntity {
  @PrimaryColumn({ name: 'code_hash', type: 'char', length: 64 })
  codeHash: string;

  @Index()
  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'session_id', type: 'uuid', nullable: true })
  sessionId: string | null;

  @Column({ type: 'varchar', length: 32 })
  outcome: ExchangeOutcome;

  @Column({ name: 'authorizer_app_id', type: 'varchar', length: 64, nullable: true })
  authorizerAppId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
