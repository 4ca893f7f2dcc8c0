import { type ResealCount, resealColumn, SEALED_COLUMNS } from '../platform/database/sealed-columns';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SecretCipher } from '@app/common';
import type { DataSource, EntityManager } from 'typeorm';
import { lockForTransaction } from '../platform/database/advisory-lock';
import { sql } from '../platform/database/sql';

export interface StoredComponentToken {
  token: string | null;
  expiresAt: Date | null;
}

export interface ComponentCredentials extends StoredComponentToken {
  ticket: string | null;
}

export interface ComponentStateRecord {
  ticketReceivedAt: Date | null;
  tokenExpiresAt: Date | null;
  /** The last api_start_push_ticket by any instance. */
  pushTicketRequestedAt: Date | null;
}

interface StateRow {
  ticket: string | null;
  ticket_received_at: Date | null;
  access_token: string | null;
  access_token_expires_at: Date | null;
  push_ticket_requested_at?: Date | null;
}

/** The sealed columns of component_state. */
type SealedColumnName = 'ticket' | 'access_token';

/**
 * component_state: the verify ticket and the component access token of one component appid
 * (the aggregate key, first argument everywhere). Secrets are sealed here with the app's
 * SecretCipher and handed out in plaintext; nothing else reads or writes this table.
 */
@Injectable()
export class ComponentStateRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cipher: SecretCipher,
  ) {}

  /** Sealed for this component's row and the column (the cipher binds both). */
  private seal(appId: string, column: SealedColumnName, plaintext: string): string {
    return this.cipher.encrypt(plaintext, { table: 'component_state', column, row: appId });
  }

  private unseal(appId: string, column: SealedColumnName, value: string | null | undefined): string | null {
    return value === null || value === undefined
      ? null
      : this.cipher.decrypt(value, { table: 'component_state', column, row: appId });
  }

  async readToken(appId: string, m?: EntityManager): Promise<StoredComponentToken> {
    const { rows } = await sql<StateRow>(
      m ?? this.dataSource,
      `SELECT access_token, access_token_expires_at FROM component_state WHERE component_app_id = $1`,
      [appId],
    );
    return {
      token: this.unseal(appId, 'access_token', rows[0]?.access_token),
      expiresAt: rows[0]?.access_token_expires_at ?? null,
    };
  }

  /**
   * Inside a refresh transaction: makes sure the row exists, takes the component's refresh
   * lock, and reads ticket and token as they are once it is held.
   */
  async lockForRefresh(appId: string, m: EntityManager): Promise<ComponentCredentials> {
    await sql(m, `INSERT INTO component_state (component_app_id) VALUES ($1) ON CONFLICT DO NOTHING`, [appId]);
    await lockForTransaction(m, `wtg:component-token:${appId}`);
    const { rows } = await sql<StateRow>(
      m,
      `SELECT ticket, access_token, access_token_expires_at FROM component_state WHERE component_app_id = $1`,
      [appId],
    );
    return {
      ticket: this.unseal(appId, 'ticket', rows[0].ticket),
      token: this.unseal(appId, 'access_token', rows[0].access_token),
      expiresAt: rows[0].access_token_expires_at,
    };
  }

  /**
   * Ticket and token as stored, creating the row if needed; the refresh reads them holding the
   * component's session lock (platform/database/session-locks.ts), with no transaction open.
   */
  async readCredentials(appId: string): Promise<ComponentCredentials> {
    await sql(this.dataSource, `INSERT INTO component_state (component_app_id) VALUES ($1) ON CONFLICT DO NOTHING`, [appId]);
    const { rows } = await sql<StateRow>(
      this.dataSource,
      `SELECT ticket, access_token, access_token_expires_at FROM component_state WHERE component_app_id = $1`,
      [appId],
    );
    return {
      ticket: this.unseal(appId, 'ticket', rows[0].ticket),
      token: this.unseal(appId, 'access_token', rows[0].access_token),
      expiresAt: rows[0].access_token_expires_at,
    };
  }

  async storeToken(appId: string, token: string, expiresAt: Date, m?: EntityManager): Promise<void> {
    await sql(
      m ?? this.dataSource,
      `UPDATE component_state SET access_token = $2, access_token_expires_at = $3, updated_at = now() WHERE component_app_id = $1`,
      [appId, this.seal(appId, 'access_token', token), expiresAt],
    );
  }

  /**
   * Compare-then-expire: marks the token expired only if the stored one is still `token` (a
   * caller that saw it rejected must not expire a replacement another caller just stored).
   * The row is locked between the compare and the write. Returns whether it expired it.
   */
  async expireTokenIfStill(appId: string, token: string, m: EntityManager): Promise<boolean> {
    const { rows } = await sql<StateRow>(m, `SELECT access_token FROM component_state WHERE component_app_id = $1 FOR UPDATE`, [
      appId,
    ]);
    if (this.unseal(appId, 'access_token', rows[0]?.access_token) !== token) return false;
    await sql(m, `UPDATE component_state SET access_token_expires_at = now(), updated_at = now() WHERE component_app_id = $1`, [
      appId,
    ]);
    return true;
  }

  /** Stores a pushed ticket unless a newer one (by CreateTime) is already stored; false when ignored. */
  async storeTicket(appId: string, ticket: string, createTime: number): Promise<boolean> {
    const { rows } = await sql(
      this.dataSource,
      `INSERT INTO component_state AS s (component_app_id, ticket, ticket_create_time, ticket_received_at)
       VALUES ($1, $2, $3, now())
       ON CONFLICT (component_app_id) DO UPDATE
          SET ticket = EXCLUDED.ticket, ticket_create_time = EXCLUDED.ticket_create_time,
              ticket_received_at = now(), ticket_stale_reported_at = NULL, updated_at = now()
        WHERE s.ticket_create_time IS NULL OR s.ticket_create_time <= EXCLUDED.ticket_create_time
       RETURNING 1`,
      [appId, this.seal(appId, 'ticket', ticket), createTime],
    );
    return rows.length > 0;
  }

  async status(appId: string): Promise<ComponentStateRecord> {
    const { rows } = await sql<StateRow>(
      this.dataSource,
      `SELECT ticket_received_at, access_token_expires_at, push_ticket_requested_at FROM component_state WHERE component_app_id = $1`,
      [appId],
    );
    return {
      ticketReceivedAt: rows[0]?.ticket_received_at ?? null,
      tokenExpiresAt: rows[0]?.access_token_expires_at ?? null,
      pushTicketRequestedAt: rows[0]?.push_ticket_requested_at ?? null,
    };
  }

  /**
   * Claims the one report of a ticket older than `staleAfterSeconds` (once per ticket, across
   * every instance): its age in seconds, or undefined when it is fresh, missing or already reported.
   */
  async claimStaleTicketReport(appId: string, staleAfterSeconds: number, m: EntityManager): Promise<number | undefined> {
    const { rows } = await sql<{ age: number }>(
      m,
      `UPDATE component_state SET ticket_stale_reported_at = now()
        WHERE component_app_id = $1 AND ticket_stale_reported_at IS NULL
          AND ticket_received_at < now() - make_interval(secs => $2)
       RETURNING floor(extract(epoch FROM now() - ticket_received_at))::int AS age`,
      [appId, staleAfterSeconds],
    );
    return rows[0]?.age;
  }

  /** Claims the right to call api_start_push_ticket: true at most once per `interval` across every instance. */
  claimTicketPushRequest(appId: string, interval: '10 minutes'): Promise<boolean> {
    return this.claimOncePer(appId, 'push_ticket_requested_at', interval);
  }

  /**
   * Claims an early renewal of the component token (WeChat rejected an authorizer token we held
   * as fresh): true at most once per `interval` across every instance.
   */
  claimEarlyTokenRenewal(appId: string, interval: '10 minutes'): Promise<boolean> {
    return this.claimOncePer(appId, 'token_early_renewed_at', interval);
  }

  /** Sets the timestamp `column` to now unless it was set within `interval` (the row is shared by every instance). */
  private async claimOncePer(
    appId: string,
    column: 'push_ticket_requested_at' | 'token_early_renewed_at',
    interval: '10 minutes',
  ): Promise<boolean> {
    const { rows } = await sql(
      this.dataSource,
      `UPDATE component_state SET ${column} = now()
        WHERE component_app_id = $1 AND (${column} IS NULL OR ${column} < now() - $2::interval)
       RETURNING 1`,
      [appId, interval],
    );
    return rows.length > 0;
  }

  /** Re-seals this table's secrets under the current key (npm run secrets:reseal), compare-and-swap per row. */
  async resealSecrets(): Promise<ResealCount> {
    const total: ResealCount = { resealed: 0, unreadable: 0 };
    for (const c of SEALED_COLUMNS.filter((s) => s.table === 'component_state')) {
      const n = await resealColumn(this.dataSource, this.cipher, c);
      total.resealed += n.resealed;
      total.unreadable += n.unreadable;
    }
    return total;
  }
}
