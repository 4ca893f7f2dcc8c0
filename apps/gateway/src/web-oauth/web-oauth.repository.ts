import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { sql } from '../platform/database/sql';
import type { TenantId } from '../tenants/tenant-id';

export type WebOAuthScope = 'snsapi_base' | 'snsapi_userinfo';

export interface WebOAuthStateRecord {
  tenantId: TenantId;
  scope: WebOAuthScope;
  returnUrl: string;
  callerState: string | null;
}

/** What a redemption hands over: who the follower is (never their WeChat tokens). */
export interface WebOAuthIdentity {
  appId: string;
  openid: string;
  unionid: string | null;
  scope: WebOAuthScope;
  userInfo: Record<string, unknown> | null;
}

/**
 * web_oauth_states and web_oauth_tickets: both keyed by the SHA-256 of a secret the browser
 * carries (the nonce, the ticket), single use, claimed with one UPDATE so two instances cannot
 * both use one. "Now" is the database's clock.
 */
@Injectable()
export class WebOAuthRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async createState(tenantId: TenantId, nonceHash: string, s: Omit<WebOAuthStateRecord, 'tenantId'>, ttlSeconds: number) {
    await sql(
      this.dataSource,
      `INSERT INTO web_oauth_states (nonce_hash, tenant_id, scope, return_url, caller_state, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
      [nonceHash, tenantId, s.scope, s.returnUrl, s.callerState, ttlSeconds],
    );
  }

  /** Marks the state used and returns it, if it is known, unused and unexpired. */
  async claimState(nonceHash: string): Promise<WebOAuthStateRecord | undefined> {
    const { rows } = await sql<{ tenant_id: TenantId; scope: WebOAuthScope; return_url: string; caller_state: string | null }>(
      this.dataSource,
      `UPDATE web_oauth_states SET used_at = now()
        WHERE nonce_hash = $1 AND used_at IS NULL AND expires_at > now()
        RETURNING tenant_id, scope, return_url, caller_state`,
      [nonceHash],
    );
    const r = rows[0];
    return r && { tenantId: r.tenant_id, scope: r.scope, returnUrl: r.return_url, callerState: r.caller_state };
  }

  async createTicket(tenantId: TenantId, ticketHash: string, identity: WebOAuthIdentity, ttlSeconds: number): Promise<void> {
    await sql(
      this.dataSource,
      `INSERT INTO web_oauth_tickets (ticket_hash, tenant_id, app_id, openid, unionid, scope, user_info, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8))`,
      [
        ticketHash,
        tenantId,
        identity.appId,
        identity.openid,
        identity.unionid,
        identity.scope,
        identity.userInfo === null ? null : JSON.stringify(identity.userInfo),
        ttlSeconds,
      ],
    );
  }

  /** Marks the tenant's ticket redeemed and returns what it holds; another tenant's ticket is not touched. */
  async redeemTicket(tenantId: TenantId, ticketHash: string): Promise<WebOAuthIdentity | undefined> {
    const { rows } = await sql<{
      app_id: string;
      openid: string;
      unionid: string | null;
      scope: WebOAuthScope;
      user_info: Record<string, unknown> | null;
    }>(
      this.dataSource,
      `UPDATE web_oauth_tickets SET used_at = now()
        WHERE ticket_hash = $1 AND tenant_id = $2 AND used_at IS NULL AND expires_at > now()
        RETURNING app_id, openid, unionid, scope, user_info`,
      [ticketHash, tenantId],
    );
    const r = rows[0];
    return r && { appId: r.app_id, openid: r.openid, unionid: r.unionid, scope: r.scope, userInfo: r.user_info };
  }

  /** Housekeeping across tenants: states and tickets that lapsed over a day ago (both live minutes at most). */
  async deleteLapsed(): Promise<number> {
    const a = await sql(this.dataSource, `DELETE FROM web_oauth_states WHERE expires_at < now() - interval '1 day'`);
    const b = await sql(this.dataSource, `DELETE FROM web_oauth_tickets WHERE expires_at < now() - interval '1 day'`);
    return a.count + b.count;
  }
}
