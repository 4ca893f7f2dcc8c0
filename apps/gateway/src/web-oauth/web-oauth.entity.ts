import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { TenantEntity } from '../tenants/tenant.entity';
import type { TenantId } from '../tenants/tenant-id';

// Mirror migrations/1796700000000-WebOAuthAndJsTickets.ts exactly (names included) so
// migration:generate reports no drift; WebOAuthRepository reads and writes both in SQL.
const NOW = () => 'now()';

/** The nonce sent to WeChat as `state`: what the callback needs to finish the flow (10 minutes, single use). */
@Entity({ name: 'web_oauth_states' })
@Index('web_oauth_states_tenant_idx', ['tenantId'])
@Index('web_oauth_states_expires_idx', ['expiresAt'])
export class WebOAuthStateEntity {
  @PrimaryColumn({ primaryKeyConstraintName: 'web_oauth_states_pkey', name: 'nonce_hash', type: 'char', length: 64 })
  nonceHash: string;
  @ForeignKey(() => TenantEntity, { name: 'web_oauth_states_tenant_id_fkey', onDelete: 'CASCADE' })
  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: TenantId;
  @Column({ type: 'varchar', length: 16 }) scope: string;
  @Column({ name: 'return_url', type: 'text' }) returnUrl: string;
  @Column({ name: 'caller_state', type: 'text', nullable: true }) callerState: string | null;
  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3 }) expiresAt: Date;
  @Column({ name: 'used_at', type: 'timestamptz', precision: 3, nullable: true }) usedAt: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz', precision: 3, default: NOW }) createdAt: Date;
}

/** A redemption ticket (`wor_…`, 60 s, single use): the follower's identity waiting for the provider's server. */
@Entity({ name: 'web_oauth_tickets' })
@Index('web_oauth_tickets_tenant_idx', ['tenantId'])
@Index('web_oauth_tickets_expires_idx', ['expiresAt'])
export class WebOAuthTicketEntity {
  @PrimaryColumn({ primaryKeyConstraintName: 'web_oauth_tickets_pkey', name: 'ticket_hash', type: 'char', length: 64 })
  ticketHash: string;
  @ForeignKey(() => TenantEntity, { name: 'web_oauth_tickets_tenant_id_fkey', onDelete: 'CASCADE' })
  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: TenantId;
  @Column({ name: 'app_id', type: 'varchar', length: 64 }) appId: string;
  @Column({ type: 'varchar', length: 128 }) openid: string;
  @Column({ type: 'varchar', length: 128, nullable: true }) unionid: string | null;
  @Column({ type: 'varchar', length: 16 }) scope: string;
  @Column({ name: 'user_info', type: 'jsonb', nullable: true }) userInfo: Record<string, unknown> | null;
  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3 }) expiresAt: Date;
  @Column({ name: 'used_at', type: 'timestamptz', precision: 3, nullable: true }) usedAt: Date | null;
  @Column({ name: 'created_at', type: 'timestamptz', precision: 3, default: NOW }) createdAt: Date;
}

export const WEB_OAUTH_ENTITIES = [WebOAuthStateEntity, WebOAuthTicketEntity];
