// Over 300 lines on purpose: the one reader and writer of authorizers (one repository per table),
// grants, refreshes, revocations, the renewer's and reconciliation's reads and the reseal together.
import { type ResealCount, resealColumn, SEALED_COLUMNS } from '../platform/database/sealed-columns';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SecretCipher } from '@app/common';
import type { DataSource, EntityManager } from 'typeorm';
import { lockForTransaction } from '../platform/database/advisory-lock';
import { ChangeNotices } from '../platform/database/change-notices';
import { preparedSql, sql } from '../platform/database/sql';
import type { TenantStatus } from '../tenants/tenant.entity';
import type { TenantId } from '../tenants/tenant-id';
import { AuthorizerEntity } from './authorizer.entity';

/** A live tenant and its authorizer, tokens in plaintext: what the gate, the token read and the refresh start from. */
export interface TenantAuthorizerRecord {
  tenantStatus: TenantStatus;
  appId: string | null;
  verified: boolean;
  permissionSets: number[];
  accessToken: string | null;
  accessTokenExpiresAt: Date | null;
  refreshToken: string | null;
}

/** A live tenant and its authorizer as requests use them: no refresh token. */
export type AuthorizerSnapshot = Omit<TenantAuthorizerRecord, 'refreshToken'>;

/** What WeChat says about the account (api_get_authorizer_info), as stored. */
export interface AccountInfo {
  /** The original id, gh_… (null: not read yet; a stored one is then kept). */
  userName: string | null;
  nickName: string | null;
  principalName: string | null;
  serviceType: number | null;
  verifyType: number | null;
  verified: boolean;
  permissionSets: number[];
}

export interface GrantRecord extends AccountInfo {
  appId: string;
  /**
   * The account info is not known yet (the tokens are committed before api_get_authorizer_info):
   * keep the stored name, type and verification when the account is the same one.
   */
  keepStoredInfo?: boolean;
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
}

/** The sealed columns of this table. */
type TokenColumn = 'access_token' | 'refresh_token';

interface TenantAuthorizerRow {
  status: TenantStatus;
  app_id: string | null;
  verified: boolean | null;
  permission_sets: number[] | null;
  access_token: string | null;
  access_token_expires_at: Date | null;
  refresh_token: string | null;
}

/**
 * The authorizers table (one Official Account per tenant, tokens sealed with the app's
 * SecretCipher): its only writer. Reads that must skip deleted tenants join tenants read-only.
 */
/**
 * True while Official Account `appId` is bound to `tenant` and that tenant is active (not pending,
 * revoked or deleted): a condition for the statements of other repositories that must store
 * something only for the account's current tenant, in the same statement.
 */
export function accountActiveForTenantSql(appId: string, tenant: string): string {
  return `EXISTS (SELECT 1 FROM authorizers a JOIN tenants t ON t.id = a.tenant_id
            WHERE a.app_id = ${appId} AND a.tenant_id = ${tenant} AND t.deleted_at IS NULL AND t.status = 'active')`;
}

@Injectable()
export class AuthorizersRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cipher: SecretCipher,
    private readonly notices: ChangeNotices,
  ) {}

  /** This instance's copies go at once; other instances' when PostgreSQL announces the commit. */
  private changed(tenantId: TenantId, m?: EntityManager): void {
    this.notices.changed('authorizers', tenantId, m);
  }

  /** A token sealed for this row and column (the cipher binds both): copied from another row, it does not open. */
  private seal(tenantId: TenantId, column: TokenColumn, plaintext: string): string {
    return this.cipher.encrypt(plaintext, { table: 'authorizers', column, row: tenantId });
  }

  /**
   * A token sealed under a key we no longer hold, or for another row (moved there by someone with
   * database access), reads as absent: the refresh then recovers it from WeChat.
   */
  private unsealToken(tenantId: TenantId, column: TokenColumn, value: string | null): string | null {
    if (value === null) return null;
    try {
      return this.cipher.decrypt(value, { table: 'authorizers', column, row: tenantId });
    } catch {
      return null;
    }
  }

  /**
   * Serializes everything that reads or replaces a tenant's tokens (refresh, grant, wipe)
   * until the transaction of `m` ends, across instances.
   */
  lockTokens(tenantId: TenantId, m: EntityManager): Promise<void> {
    return lockForTransaction(m, `wtg:authorizer-token:${tenantId}`);
  }

  /** Undefined when the tenant does not exist or is deleted; appId null while no account is bound. */
  async readWithTenant(tenantId: TenantId, m?: EntityManager): Promise<TenantAuthorizerRecord | undefined> {
    const r = await this.readJoined(tenantId, true, m);
    if (!r) return undefined;
    const { sealedRefreshToken, ...snapshot } = r;
    return { ...snapshot, refreshToken: this.unsealToken(tenantId, 'refresh_token', sealedRefreshToken) };
  }

  /** What a call needs (readWithTenant without the refresh token, which only a refresh unseals). */
  async readForCalls(tenantId: TenantId): Promise<AuthorizerSnapshot | undefined> {
    const r = await this.readJoined(tenantId, false);
    if (!r) return undefined;
    const { sealedRefreshToken: _none, ...snapshot } = r;
    return snapshot;
  }

  private async readJoined(
    tenantId: TenantId,
    withRefreshToken: boolean,
    m?: EntityManager,
  ): Promise<(AuthorizerSnapshot & { sealedRefreshToken: string | null }) | undefined> {
    const { rows } = await sql<TenantAuthorizerRow>(
      m ?? this.dataSource,
      `SELECT t.status, a.app_id, a.verified, a.permission_sets, a.access_token, a.access_token_expires_at
              ${withRefreshToken ? ', a.refresh_token' : ''}
         FROM tenants t LEFT JOIN authorizers a ON a.tenant_id = t.id
        WHERE t.id = $1 AND t.deleted_at IS NULL`,
      [tenantId],
    );
    const r = rows[0];
    return (
      r && {
        tenantStatus: r.status,
        appId: r.app_id,
        verified: r.verified ?? false,
        permissionSets: r.permission_sets ?? [],
        accessToken: this.unsealToken(tenantId, 'access_token', r.access_token),
        accessTokenExpiresAt: r.access_token_expires_at,
        sealedRefreshToken: r.refresh_token ?? null,
      }
    );
  }

  /** The live tenant an Official Account is bound to, if any. */
  async tenantIdForAppId(appId: string): Promise<TenantId | undefined> {
    const { rows } = await sql<{ tenant_id: TenantId }>(
      this.dataSource,
      `SELECT a.tenant_id FROM authorizers a JOIN tenants t ON t.id = a.tenant_id WHERE a.app_id = $1 AND t.deleted_at IS NULL`,
      [appId],
    );
    return rows[0]?.tenant_id;
  }

  /** The active tenant an Official Account is bound to, if any (pending, revoked and deleted ones are not). */
  async activeTenantIdForAppId(appId: string, m?: EntityManager): Promise<TenantId | undefined> {
    const { rows } = await preparedSql<{ tenant_id: TenantId }>(
      m ?? this.dataSource,
      'authorizers_active_tenant_for_app',
      `SELECT a.tenant_id FROM authorizers a JOIN tenants t ON t.id = a.tenant_id
        WHERE a.app_id = $1 AND t.deleted_at IS NULL AND t.status = 'active'`,
      [appId],
    );
    return rows[0]?.tenant_id;
  }

  /** The active tenant an Official Account is bound to and the account's original id (null until read). */
  async activeAccountForAppId(appId: string): Promise<{ tenantId: TenantId; userName: string | null } | undefined> {
    const { rows } = await preparedSql<{ tenant_id: TenantId; user_name: string | null }>(
      this.dataSource,
      'authorizers_active_account_for_app',
      `SELECT a.tenant_id, a.user_name FROM authorizers a JOIN tenants t ON t.id = a.tenant_id
        WHERE a.app_id = $1 AND t.deleted_at IS NULL AND t.status = 'active'`,
      [appId],
    );
    return rows[0] && { tenantId: rows[0].tenant_id, userName: rows[0].user_name };
  }

  /** Whether another live tenant holds this account (one Official Account, one tenant). */
  async boundToOtherTenant(tenantId: TenantId, appId: string, m: EntityManager): Promise<boolean> {
    const { rows } = await sql(
      m,
      `SELECT 1 FROM authorizers a JOIN tenants t ON t.id = a.tenant_id AND t.deleted_at IS NULL
        WHERE a.app_id = $1 AND a.tenant_id <> $2`,
      [appId, tenantId],
    );
    return rows.length > 0;
  }

  /** Binds (or re-binds) the tenant's account with fresh tokens; authorized_at moves only when the account changes. */
  async upsertGrant(tenantId: TenantId, g: GrantRecord, m: EntityManager): Promise<void> {
    await sql(
      m,
      `INSERT INTO authorizers AS a (tenant_id, app_id, nick_name, principal_name, service_type, verify_type, verified,
                                     permission_sets, access_token, access_token_expires_at, refresh_token, user_name,
                                     authorized_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $13, now(), now())
       ON CONFLICT (tenant_id) DO UPDATE SET
         app_id = EXCLUDED.app_id,
         user_name = CASE WHEN $12 AND a.app_id = EXCLUDED.app_id THEN a.user_name ELSE EXCLUDED.user_name END,
         nick_name = CASE WHEN $12 AND a.app_id = EXCLUDED.app_id THEN a.nick_name ELSE EXCLUDED.nick_name END,
         principal_name = CASE WHEN $12 AND a.app_id = EXCLUDED.app_id THEN a.principal_name ELSE EXCLUDED.principal_name END,
         service_type = CASE WHEN $12 AND a.app_id = EXCLUDED.app_id THEN a.service_type ELSE EXCLUDED.service_type END,
         verify_type = CASE WHEN $12 AND a.app_id = EXCLUDED.app_id THEN a.verify_type ELSE EXCLUDED.verify_type END,
         verified = CASE WHEN $12 AND a.app_id = EXCLUDED.app_id THEN a.verified ELSE EXCLUDED.verified END,
         permission_sets = EXCLUDED.permission_sets, access_token = EXCLUDED.access_token,
         access_token_expires_at = EXCLUDED.access_token_expires_at, refresh_token = EXCLUDED.refresh_token,
         authorized_at = CASE WHEN a.app_id = EXCLUDED.app_id THEN a.authorized_at ELSE now() END,
         updated_at = now()`,
      [
        tenantId,
        g.appId,
        g.nickName,
        g.principalName,
        g.serviceType,
        g.verifyType,
        g.verified,
        g.permissionSets,
        this.seal(tenantId, 'access_token', g.accessToken),
        g.accessTokenExpiresAt,
        this.seal(tenantId, 'refresh_token', g.refreshToken),
        g.keepStoredInfo ?? false,
        g.userName,
      ],
    );
    this.changed(tenantId, m);
  }

  /** A refresh's result: both tokens in one row update. */
  async storeTokens(
    tenantId: TenantId,
    t: { accessToken: string; accessTokenExpiresAt: Date; refreshToken: string },
    m?: EntityManager,
  ): Promise<void> {
    await sql(
      m ?? this.dataSource,
      `UPDATE authorizers SET access_token = $2, access_token_expires_at = $3, refresh_token = $4 WHERE tenant_id = $1`,
      [
        tenantId,
        this.seal(tenantId, 'access_token', t.accessToken),
        t.accessTokenExpiresAt,
        this.seal(tenantId, 'refresh_token', t.refreshToken),
      ],
    );
    this.changed(tenantId, m);
  }

  /** A refresh token recovered from WeChat's authorizer list; the access token is left to expire or be replaced. */
  async storeRefreshToken(tenantId: TenantId, refreshToken: string): Promise<void> {
    await sql(this.dataSource, `UPDATE authorizers SET refresh_token = $2 WHERE tenant_id = $1`, [
      tenantId,
      this.seal(tenantId, 'refresh_token', refreshToken),
    ]);
    this.changed(tenantId);
  }

  /** Every live tenant's bound account with its refresh token (null if unreadable), for reconciliation with WeChat's list. */
  async listBound(): Promise<{ tenantId: TenantId; tenantStatus: TenantStatus; appId: string; refreshToken: string | null }[]> {
    const { rows } = await sql<{ tenant_id: TenantId; status: TenantStatus; app_id: string; refresh_token: string | null }>(
      this.dataSource,
      `SELECT a.tenant_id, t.status, a.app_id, a.refresh_token
         FROM authorizers a JOIN tenants t ON t.id = a.tenant_id AND t.deleted_at IS NULL
        WHERE a.app_id IS NOT NULL ORDER BY a.tenant_id`,
    );
    return rows.map((r) => ({
      tenantId: r.tenant_id,
      tenantStatus: r.status,
      appId: r.app_id,
      refreshToken: this.unsealToken(r.tenant_id, 'refresh_token', r.refresh_token),
    }));
  }

  /**
   * Active tenants whose access token has under `withinSeconds` left (or none while a refresh token
   * is stored), soonest first: the background renewer's candidates.
   */
  async dueForRenewal(withinSeconds: number, limit: number): Promise<TenantId[]> {
    const { rows } = await sql<{ tenant_id: TenantId }>(
      this.dataSource,
      `SELECT a.tenant_id FROM authorizers a JOIN tenants t ON t.id = a.tenant_id
        WHERE t.status = 'active' AND t.deleted_at IS NULL AND a.refresh_token IS NOT NULL
          AND (a.access_token_expires_at IS NULL OR a.access_token_expires_at < now() + make_interval(secs => $1))
        ORDER BY a.access_token_expires_at NULLS FIRST LIMIT $2`,
      [withinSeconds, limit],
    );
    return rows.map((r) => r.tenant_id);
  }

  /**
   * Forgets the tokens but keeps the binding, so a re-authorization lands on the same row.
   * `touch` also moves updated_at (a revocation is a change to the account; a rejected
   * refresh token is not).
   */
  async wipeTokens(tenantId: TenantId, m: EntityManager, opts: { touch: boolean }): Promise<void> {
    await sql(
      m,
      `UPDATE authorizers SET access_token = NULL, access_token_expires_at = NULL, refresh_token = NULL
              ${opts.touch ? ', updated_at = now()' : ''}
        WHERE tenant_id = $1`,
      [tenantId],
    );
    this.changed(tenantId, m);
  }

  async updateInfo(tenantId: TenantId, appId: string, info: AccountInfo, m?: EntityManager): Promise<void> {
    await (m ?? this.dataSource.manager).getRepository(AuthorizerEntity).update(
      { tenantId, appId },
      {
        ...(info.userName !== null ? { userName: info.userName } : {}),
        nickName: info.nickName,
        principalName: info.principalName,
        serviceType: info.serviceType,
        verifyType: info.verifyType,
        verified: info.verified,
        permissionSets: info.permissionSets,
        updatedAt: () => 'now()',
      },
    );
    this.changed(tenantId, m);
  }

  /** Tenant deletion: the tokens and the binding go, so the account can be bound again elsewhere. */
  async deleteForTenant(tenantId: TenantId, m: EntityManager): Promise<void> {
    await m.getRepository(AuthorizerEntity).delete({ tenantId });
    this.changed(tenantId, m);
  }

  /** Re-seals this table's secrets under the current key (npm run secrets:reseal), compare-and-swap per row. */
  async resealSecrets(): Promise<ResealCount> {
    const total: ResealCount = { resealed: 0, unreadable: 0 };
    for (const c of SEALED_COLUMNS.filter((s) => s.table === 'authorizers')) {
      const n = await resealColumn(this.dataSource, this.cipher, c);
      total.resealed += n.resealed;
      total.unreadable += n.unreadable;
    }
    return total;
  }
}
