import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A pre-auth code minted for a session's page view (hashed). The `authorized` push carries
 * it back, which is how a push finds its tenant before the account is bound.
 */
@Entity({ name: 'pre_auth_codes' })
export class PreAuthCodeEntity {
  @PrimaryColumn({ name: 'code_hash', type: 'char', length: 64 })
  codeHash: string;

  @Index()
  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Index()
  @Column({ name: 'session_id', type: 'uuid' })
  sessionId: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
