import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SecretCipher } from '@app/common';
import type { JsTicketType } from '@app/wechat';
import type { DataSource } from 'typeorm';
import { type ResealCount, resealColumn, SEALED_COLUMNS } from '../platform/database/sealed-columns';
import { sql } from '../platform/database/sql';
import type { TenantId } from '../tenants/tenant-id';

export interface StoredJsTicket {
  ticket: string | null;
  expiresAt: Date | null;
}

/** Where a ticket is sealed: the cipher binds it to its row, keyed as SEALED_COLUMNS names it (`<tenant>:<type>`). */
const ticketPlace = (tenantId: TenantId, type: JsTicketType) => ({
  table: 'jssdk_tickets',
  column: 'ticket',
  row: `${tenantId}:${type}`,
});

/**
 * jssdk_tickets: one row per tenant and ticket type, the ticket sealed with the app's SecretCipher
 * (its only reader and writer; secrets:reseal re-seals it after a key rotation). A ticket sealed
 * under a key the cipher no longer holds, or moved from another row, reads as none: it is fetched again (tickets live two
 * hours; nothing is lost).
 */
@Injectable()
export class JsTicketsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cipher: SecretCipher,
  ) {}

  async read(tenantId: TenantId, type: JsTicketType): Promise<StoredJsTicket> {
    const { rows } = await sql<{ ticket: string; expires_at: Date }>(
      this.dataSource,
      `SELECT ticket, expires_at FROM jssdk_tickets WHERE tenant_id = $1 AND type = $2`,
      [tenantId, type],
    );
    if (!rows[0]) return { ticket: null, expiresAt: null };
    let ticket: string | null;
    try {
      ticket = this.cipher.decrypt(rows[0].ticket, ticketPlace(tenantId, type));
    } catch {
      ticket = null;
    }
    return { ticket, expiresAt: ticket === null ? null : new Date(rows[0].expires_at) };
  }

  async store(tenantId: TenantId, type: JsTicketType, ticket: string, expiresAt: Date): Promise<void> {
    await sql(
      this.dataSource,
      `INSERT INTO jssdk_tickets (tenant_id, type, ticket, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, type) DO UPDATE SET ticket = EXCLUDED.ticket, expires_at = EXCLUDED.expires_at, updated_at = now()`,
      [tenantId, type, this.cipher.encrypt(ticket, ticketPlace(tenantId, type)), expiresAt],
    );
  }

  /** Tickets of active tenants with under `withinSeconds` left (the background renewer's candidates). */
  async dueForRenewal(withinSeconds: number, limit: number): Promise<Array<{ tenantId: TenantId; type: JsTicketType }>> {
    const { rows } = await sql<{ tenant_id: TenantId; type: JsTicketType }>(
      this.dataSource,
      `SELECT j.tenant_id, j.type FROM jssdk_tickets j JOIN tenants t ON t.id = j.tenant_id
        WHERE t.status = 'active' AND t.deleted_at IS NULL AND j.expires_at < now() + make_interval(secs => $1)
        ORDER BY j.expires_at LIMIT $2`,
      [withinSeconds, limit],
    );
    return rows.map((r) => ({ tenantId: r.tenant_id, type: r.type }));
  }

  /** Re-seals the tickets under the current key (npm run secrets:reseal), compare-and-swap per row. */
  async resealSecrets(): Promise<ResealCount> {
    const total: ResealCount = { resealed: 0, unreadable: 0 };
    for (const c of SEALED_COLUMNS.filter((s) => s.table === 'jssdk_tickets')) {
      const n = await resealColumn(this.dataSource, this.cipher, c);
      total.resealed += n.resealed;
      total.unreadable += n.unreadable;
    }
    return total;
  }
}
