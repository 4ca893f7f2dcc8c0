import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, In, IsNull, type Repository } from 'typeorm';
import { ChangeNotices } from '../platform/database/change-notices';
import { sql } from '../platform/database/sql';
import { TENANT_STATUSES, TenantEntity, type TenantStatus } from './tenant.entity';
import type { TenantId } from './tenant-id';
import { TenantExistsError } from './tenant.errors';

export interface TenantRecord {
  id: TenantId;
  name: string;
  externalId: string | null;
  status: TenantStatus;
  createdAt: Date;
}

/** The Official Account bound to a tenant, as the tenant views show it (no tokens). */
export interface BoundAccountRecord {
  appId: string;
  nickName: string | null;
  principalName: string | null;
  serviceType: number | null;
  verified: boolean;
  permissionSets: number[];
  authorizedAt: Date;
  updatedAt: Date;
}

export interface TenantWithAccountRecord extends TenantRecord {
  account: BoundAccountRecord | null;
  /** Origins a web-authorization returnUrl may point at. */
  webOAuthOrigins: string[];
}

interface TenantAccountRow {
  id: TenantId;
  name: string;
  external_id: string | null;
  status: TenantStatus;
  created_at: Date;
  web_oauth_origins?: string[];
  app_id: string | null;
  nick_name: string | null;
  principal_name: string | null;
  service_type: number | null;
  verified: boolean | null;
  permission_sets: number[] | null;
  authorized_at: Date | null;
  authorizer_updated_at: Date | null;
}

// The tenant views show the bound account beside the tenant: one read-only join, kept here so
// the views cost one query (the authorizers repository owns every write to that table).
const TENANT_ACCOUNT_SELECT = `
  SELECT t.id, t.name, t.external_id, t.status, t.created_at, t.web_oauth_origins,
         a.app_id, a.nick_name, a.principal_name, a.service_type, a.verified, a.permission_sets,
         a.authorized_at, a.updated_at AS authorizer_updated_at
    FROM tenants t
    LEFT JOIN authorizers a ON a.tenant_id = t.id`;

const toRecord = (r: TenantAccountRow): TenantWithAccountRecord => ({
  id: r.id,
  name: r.name,
  externalId: r.external_id,
  status: r.status,
  createdAt: r.created_at,
  webOAuthOrigins: r.web_oauth_origins ?? [],
  account: r.app_id
    ? {
        appId: r.app_id,
        nickName: r.nick_name,
        principalName: r.principal_name,
        serviceType: r.service_type,
        verified: r.verified ?? false,
        permissionSets: r.permission_sets ?? [],
        authorizedAt: r.authorized_at!,
        updatedAt: r.authorizer_updated_at!,
      }
    : null,
});

/**
 * The tenants table: its only reader and writer, and the owner of the tenant state machine
 * (pending → active → revoked / reauthorization_required → active again on re-authorization).
 * Deleted tenants are invisible to every read.
 */
@Injectable()
export class TenantsRepository {
  private readonly tenants: Repository<TenantEntity>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notices: ChangeNotices,
  ) {
    this.tenants = dataSource.getRepository(TenantEntity);
  }

  private repo(m?: EntityManager): Repository<TenantEntity> {
    return m ? m.getRepository(TenantEntity) : this.tenants;
  }

  /** Raises TenantExistsError when a live tenant already has this externalId. */
  async create(input: { name: string; externalId: string | null; apiKeyHash: string }, m?: EntityManager): Promise<TenantRecord> {
    try {
      const { rows } = await sql<TenantAccountRow>(
        m ?? this.dataSource,
        `INSERT INTO tenants (name, external_id, api_key_hash) VALUES ($1, $2, $3)
         RETURNING id, name, external_id, status, created_at`,
        [input.name, input.externalId, input.apiKeyHash],
      );
      const { account: _none, webOAuthOrigins: _origins, ...tenant } = toRecord(rows[0]);
      return tenant;
    } catch (e) {
      if ((e as { code?: string }).code === '23505' && /external_id/.test((e as { constraint?: string }).constraint ?? '')) {
        throw new TenantExistsError();
      }
      throw e;
    }
  }

  async isLive(tenantId: TenantId, m?: EntityManager): Promise<boolean> {
    return this.repo(m).exists({ where: { id: tenantId, deletedAt: IsNull() } });
  }

  /** The live tenant holding this key digest (the guard compares the digest again in constant time). */
  async findByApiKeyHash(apiKeyHash: string): Promise<{ id: TenantId; apiKeyHash: string } | undefined> {
    const row = await this.tenants.findOne({
      select: { id: true, apiKeyHash: true },
      where: { apiKeyHash, deletedAt: IsNull() },
    });
    return row ? { id: row.id as TenantId, apiKeyHash: row.apiKeyHash } : undefined;
  }

  async findIdByExternalId(externalId: string): Promise<TenantId | undefined> {
    const row = await this.tenants.findOne({ select: { id: true }, where: { externalId, deletedAt: IsNull() } });
    return row?.id as TenantId | undefined;
  }

  async findWithAccount(tenantId: TenantId, m?: EntityManager): Promise<TenantWithAccountRecord | undefined> {
    const { rows } = await sql<TenantAccountRow>(
      m ?? this.dataSource,
      `${TENANT_ACCOUNT_SELECT} WHERE t.id = $1 AND t.deleted_at IS NULL`,
      [tenantId],
    );
    return rows[0] && toRecord(rows[0]);
  }

  /** Oldest first, keyset-paged over (created_at, id). */
  async listWithAccount(query: {
    status?: TenantStatus;
    after?: { createdAt: string; id: string };
    limit: number;
  }): Promise<TenantWithAccountRecord[]> {
    const params: unknown[] = [];
    const where = ['t.deleted_at IS NULL'];
    if (query.status) {
      params.push(query.status);
      where.push(`t.status = $${params.length}`);
    }
    if (query.after) {
      params.push(query.after.createdAt, query.after.id);
      where.push(`(t.created_at, t.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(query.limit);
    const { rows } = await sql<TenantAccountRow>(
      this.dataSource,
      `${TENANT_ACCOUNT_SELECT} WHERE ${where.join(' AND ')} ORDER BY t.created_at, t.id LIMIT $${params.length}`,
      params,
    );
    return rows.map(toRecord);
  }

  /** Replaces the tenant's web-authorization origins; false when the tenant does not exist or is deleted. */
  async setWebOAuthOrigins(tenantId: TenantId, origins: readonly string[]): Promise<boolean> {
    const r = await this.tenants.update(
      { id: tenantId, deletedAt: IsNull() },
      { webOAuthOrigins: [...origins], updatedAt: () => 'now()' },
    );
    this.notices.changed('tenants', tenantId);
    return (r.affected ?? 0) > 0;
  }

  /** False when the tenant does not exist or is deleted. */
  async replaceApiKeyHash(tenantId: TenantId, apiKeyHash: string, m?: EntityManager): Promise<boolean> {
    const r = await this.repo(m).update({ id: tenantId, deletedAt: IsNull() }, { apiKeyHash, updatedAt: () => 'now()' });
    this.notices.changed('tenants', tenantId, m);
    return (r.affected ?? 0) > 0;
  }

  /**
   * Soft delete: the row stays for audit history; the key digest is replaced by one of a key
   * nobody holds. False when there was no live tenant.
   */
  async softDelete(tenantId: TenantId, unusableKeyHash: string, m: EntityManager): Promise<boolean> {
    const r = await this.repo(m).update(
      { id: tenantId, deletedAt: IsNull() },
      { deletedAt: () => 'now()', updatedAt: () => 'now()', apiKeyHash: unusableKeyHash },
    );
    this.notices.changed('tenants', tenantId, m);
    return (r.affected ?? 0) > 0;
  }

  /**
   * The one way a tenant's status changes: only from one of `from`, only while the tenant is
   * live. Returns whether it changed. Pass the transaction's manager when the change must
   * commit together with token writes.
   */
  async setStatus(tenantId: TenantId, from: readonly TenantStatus[], to: TenantStatus, m?: EntityManager): Promise<boolean> {
    const r = await this.repo(m).update(
      { id: tenantId, status: In([...from]), deletedAt: IsNull() },
      { status: to, updatedAt: () => 'now()' },
    );
    this.notices.changed('tenants', tenantId, m);
    return (r.affected ?? 0) > 0;
  }

  /** A completed authorization (first or re-authorization) makes the tenant active; false if it already was. */
  activate(tenantId: TenantId, m: EntityManager): Promise<boolean> {
    return this.setStatus(tenantId, others('active'), 'active', m);
  }

  /** The merchant cancelled the authorization; false if it already was revoked. */
  markRevoked(tenantId: TenantId, m: EntityManager): Promise<boolean> {
    return this.setStatus(tenantId, others('revoked'), 'revoked', m);
  }

  /** WeChat refused the refresh token or says the authorization is gone; only an active tenant moves. */
  requireReauthorization(tenantId: TenantId, m: EntityManager): Promise<boolean> {
    return this.setStatus(tenantId, ['active'], 'reauthorization_required', m);
  }
}

const others = (status: TenantStatus) => TENANT_STATUSES.filter((s) => s !== status);
