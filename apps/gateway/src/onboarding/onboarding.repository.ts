import { type ResealCount, resealColumn, SEALED_COLUMNS } from '../platform/database/sealed-columns';
import { Injectable } from '@nestjs/common';
import { SecretCipher } from '@app/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { sql } from '../platform/database/sql';
import type { TenantId } from '../tenants/tenant-id';
import type { ExchangeOutcome } from './authorization-code-exchange.entity';
import { PreAuthCodeEntity } from './pre-auth-code.entity';

export interface SessionRecord {
  id: string;
  tenantId: TenantId;
  authType: number;
  returnUrl: string | null;
  expiresAt: Date;
  completedAt: Date | null;
}

export interface ExchangeRecord {
  outcome: ExchangeOutcome;
  tenantId: TenantId;
  appId: string | null;
}

interface SessionRow {
  id: string;
  tenant_id: TenantId;
  auth_type: number;
  return_url: string | null;
  expires_at: Date;
  completed_at: Date | null;
}

interface ExchangeRow {
  outcome: ExchangeOutcome;
  tenant_id: TenantId;
  authorizer_app_id: string | null;
}

const toSession = (r: SessionRow): SessionRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  authType: r.auth_type,
  returnUrl: r.return_url,
  expiresAt: r.expires_at,
  completedAt: r.completed_at,
});

/** Session lookups only ever return sessions of live tenants (a read-only join on tenants). */
const SESSION_SELECT = `
  SELECT s.id, s.tenant_id, s.auth_type, s.return_url, s.expires_at, s.completed_at
    FROM authorization_sessions s JOIN tenants t ON t.id = s.tenant_id AND t.deleted_at IS NULL`;

/** Where a pre-auth code is sealed: the cipher binds it to its row. */
const preAuthCodePlace = (codeHash: string) => ({ table: 'pre_auth_codes', column: 'code_sealed', row: codeHash });

/**
 * Onboarding's tables: authorization_sessions, the pre_auth_codes each view of a session's
 * page mints, and authorization_code_exchanges (one row per code, whoever exchanged it).
 * Codes and session tokens are stored as SHA-256 digests, which callers pass in.
 */
@Injectable()
export class OnboardingRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cipher: SecretCipher,
  ) {}

  async createSession(
    tenantId: TenantId,
    s: { tokenHash: string; authType: number; returnUrl: string | null; expiresAt: Date },
    m?: EntityManager,
  ): Promise<string> {
    const { rows } = await sql<{ id: string }>(
      m ?? this.dataSource,
      `INSERT INTO authorization_sessions (tenant_id, token_hash, auth_type, return_url, expires_at)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [tenantId, s.tokenHash, s.authType, s.returnUrl, s.expiresAt],
    );
    return rows[0].id;
  }

  async findSessionByTokenHash(tokenHash: string): Promise<SessionRecord | undefined> {
    const { rows } = await sql<SessionRow>(this.dataSource, `${SESSION_SELECT} WHERE s.token_hash = $1`, [tokenHash]);
    return rows[0] && toSession(rows[0]);
  }

  /** `sessionId` must be a UUID (the caller checks: the column is uuid). */
  async findSessionById(sessionId: string): Promise<SessionRecord | undefined> {
    const { rows } = await sql<SessionRow>(this.dataSource, `${SESSION_SELECT} WHERE s.id = $1`, [sessionId]);
    return rows[0] && toSession(rows[0]);
  }

  /** The session whose page minted this pre-auth code. */
  async findSessionByPreAuthCodeHash(codeHash: string): Promise<SessionRecord | undefined> {
    const { rows } = await sql<SessionRow>(
      this.dataSource,
      `${SESSION_SELECT} JOIN pre_auth_codes p ON p.session_id = s.id WHERE p.code_hash = $1`,
      [codeHash],
    );
    return rows[0] && toSession(rows[0]);
  }

  async completeSession(sessionId: string, m?: EntityManager): Promise<void> {
    await sql(
      m ?? this.dataSource,
      `UPDATE authorization_sessions SET completed_at = now() WHERE id = $1 AND completed_at IS NULL`,
      [sessionId],
    );
  }

  /** Open (not completed, not expired) sessions of a tenant, and when the oldest of them expires. */
  async openSessions(tenantId: TenantId, m?: EntityManager): Promise<{ count: number; firstExpiry: Date | null }> {
    const { rows } = await sql<{ count: number; first_expiry: Date | null }>(
      m ?? this.dataSource,
      `SELECT count(*)::int AS count, min(expires_at) AS first_expiry FROM authorization_sessions
        WHERE tenant_id = $1 AND completed_at IS NULL AND expires_at > now()`,
      [tenantId],
    );
    return { count: rows[0].count, firstExpiry: rows[0].first_expiry };
  }

  /** A tenant's open sessions, newest first (never their tokens: only digests are stored). */
  async listOpenSessions(tenantId: TenantId): Promise<(SessionRecord & { createdAt: Date })[]> {
    const { rows } = await sql<SessionRow & { created_at: Date }>(
      this.dataSource,
      `SELECT id, tenant_id, auth_type, return_url, expires_at, completed_at, created_at FROM authorization_sessions
        WHERE tenant_id = $1 AND completed_at IS NULL AND expires_at > now()
        ORDER BY created_at DESC, id`,
      [tenantId],
    );
    return rows.map((r) => ({ ...toSession(r), createdAt: r.created_at }));
  }

  /**
   * Closes a session of the tenant: it expires now, so its link answers 410 like an expired one.
   * Undefined when the tenant has no such session; `closed` is false when it was not open.
   */
  async closeSession(tenantId: TenantId, sessionId: string, m?: EntityManager): Promise<{ closed: boolean } | undefined> {
    const { rows } = await sql<{ was_open: boolean }>(
      m ?? this.dataSource,
      `UPDATE authorization_sessions s SET expires_at = LEAST(s.expires_at, now())
         FROM authorization_sessions before
        WHERE s.id = before.id AND s.id = $2 AND s.tenant_id = $1
        RETURNING (before.completed_at IS NULL AND before.expires_at > now()) AS was_open`,
      [tenantId, sessionId],
    );
    return rows[0] && { closed: rows[0].was_open };
  }

  /** Codes WeChat rejected for this session (random codes sent to the public callback count here). */
  async rejectedCodeCount(sessionId: string): Promise<number> {
    const { rows } = await sql<{ count: number }>(
      this.dataSource,
      `SELECT count(*)::int AS count FROM authorization_code_exchanges WHERE session_id = $1 AND outcome = 'code_invalid'`,
      [sessionId],
    );
    return rows[0].count;
  }

  /** `code` is sealed at rest: a reload of the session's page may hand it out again while it is valid. */
  async recordPreAuthCode(
    tenantId: TenantId,
    code: { codeHash: string; code: string; sessionId: string; expiresAt: Date },
    m?: EntityManager,
  ): Promise<void> {
    await (m ?? this.dataSource)
      .getRepository(PreAuthCodeEntity)
      .createQueryBuilder()
      .insert()
      .values({
        codeHash: code.codeHash,
        codeSealed: this.cipher.encrypt(code.code, preAuthCodePlace(code.codeHash)),
        tenantId,
        sessionId: code.sessionId,
        expiresAt: code.expiresAt,
      })
      .orIgnore()
      .execute();
  }

  /** The session's newest unused pre-auth code still valid `minRemainingSeconds` from now, if any. */
  async reusablePreAuthCode(sessionId: string, minRemainingSeconds: number, m?: EntityManager): Promise<string | undefined> {
    const { rows } = await sql<{ code_hash: string; code_sealed: string }>(
      m ?? this.dataSource,
      `SELECT code_hash, code_sealed FROM pre_auth_codes
        WHERE session_id = $1 AND code_sealed IS NOT NULL AND expires_at > now() + make_interval(secs => $2)
        ORDER BY expires_at DESC LIMIT 1`,
      [sessionId, minRemainingSeconds],
    );
    return rows[0] && this.cipher.decrypt(rows[0].code_sealed, preAuthCodePlace(rows[0].code_hash));
  }

  /** WeChat consumed a code of this session (an authorization came back): its codes are not handed out again. */
  async retirePreAuthCodes(sessionId: string): Promise<void> {
    await sql(this.dataSource, `UPDATE pre_auth_codes SET code_sealed = NULL WHERE session_id = $1 AND code_sealed IS NOT NULL`, [
      sessionId,
    ]);
  }

  async findExchange(codeHash: string, m?: EntityManager): Promise<ExchangeRecord | undefined> {
    const { rows } = await sql<ExchangeRow>(
      m ?? this.dataSource,
      `SELECT outcome, tenant_id, authorizer_app_id FROM authorization_code_exchanges WHERE code_hash = $1`,
      [codeHash],
    );
    return rows[0] && { outcome: rows[0].outcome, tenantId: rows[0].tenant_id, appId: rows[0].authorizer_app_id };
  }

  async recordExchange(
    tenantId: TenantId,
    e: { codeHash: string; sessionId: string | null; outcome: ExchangeOutcome; appId: string | null },
    m: EntityManager,
  ): Promise<void> {
    await sql(
      m,
      `INSERT INTO authorization_code_exchanges (code_hash, tenant_id, session_id, outcome, authorizer_app_id)
       VALUES ($1, $2, $3, $4, $5)`,
      [e.codeHash, tenantId, e.sessionId, e.outcome, e.appId],
    );
  }

  /** Tenant deletion: its unused pre-auth codes go and its open sessions expire now. */
  async closeForTenant(tenantId: TenantId, m: EntityManager): Promise<void> {
    await m.getRepository(PreAuthCodeEntity).delete({ tenantId });
    await sql(m, `UPDATE authorization_sessions SET expires_at = LEAST(expires_at, now()) WHERE tenant_id = $1`, [tenantId]);
  }

  /** Re-seals this table's secrets under the current key (npm run secrets:reseal), compare-and-swap per row. */
  async resealSecrets(): Promise<ResealCount> {
    const total: ResealCount = { resealed: 0, unreadable: 0 };
    for (const c of SEALED_COLUMNS.filter((s) => s.table === 'pre_auth_codes')) {
      const n = await resealColumn(this.dataSource, this.cipher, c);
      total.resealed += n.resealed;
      total.unreadable += n.unreadable;
    }
    return total;
  }

  /** Retention across tenants: up to `limit` exchange outcomes recorded more than `days` ago. */
  async deleteExchangesOlderThan(days: number, limit: number): Promise<number> {
    const { count } = await sql(
      this.dataSource,
      `DELETE FROM authorization_code_exchanges WHERE ctid = ANY(ARRAY(
         SELECT ctid FROM authorization_code_exchanges WHERE created_at < now() - make_interval(days => $1) LIMIT $2))`,
      [days, limit],
    );
    return count;
  }
}
