import { Check, Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { TenantEntity } from '../tenants/tenant.entity';
import type { TenantId } from '../tenants/tenant-id';

// Mirrors migrations/1796700000000-WebOAuthAndJsTickets.ts exactly (names included) so
// migration:generate reports no drift; JsTicketsRepository reads and writes it.
/** The account's JS-SDK ticket of one type; `ticket` holds ciphertext (SecretCipher), never the ticket. */
@Entity({ name: 'jssdk_tickets' })
@Check('jssdk_tickets_type_check', `type IN ('jsapi', 'wx_card')`)
export class JsTicketEntity {
  @ForeignKey(() => TenantEntity, { name: 'jssdk_tickets_tenant_id_fkey', onDelete: 'CASCADE' })
  @PrimaryColumn({ primaryKeyConstraintName: 'jssdk_tickets_pkey', name: 'tenant_id', type: 'uuid' })
  tenantId: TenantId;
  @PrimaryColumn({ primaryKeyConstraintName: 'jssdk_tickets_pkey', type: 'varchar', length: 16 }) type: string;
  @Column({ type: 'text' }) ticket: string;
  @Column({ name: 'expires_at', type: 'timestamptz', precision: 3 }) expiresAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', precision: 3, default: () => 'now()' }) updatedAt: Date;
}
