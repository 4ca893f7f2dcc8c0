import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ValidationError } from '@app/common';
import type { DataSource } from 'typeorm';
import { generateTenantApiKey, hashApiKey } from '../auth/api-keys';
import { blacklistReadiness } from '../authorizers/capabilities';
import type { CreatedTenantView, TenantPageView, TenantView } from './dto/tenant.view';
import type { TenantId } from './tenant-id';
import type { TenantStatus } from './tenant.entity';
import { TenantExistsError, TenantNotFoundError } from './tenant.errors';

interface TenantRow {
  id: string;
  name: string;
  external_id: string | null;
  status: TenantStatus;
  created_at: Date;
  app_id: string | null;
  nick_name: string | null;
  principal_name: string | null;
  service_type: number | null;
  verified: boolean | null;
  permission_sets: number[] | null;
  authorized_at: Date | null;
  authorizer_updated_at: Date | null;
}

const TENANT_SELECT = `
  SELECT t.id, t.name, t.external_id, t.status, t.created_at,
         a.app_id, a.nick_name, a.principal_name, a.service_type, a.verified, a.permission_sets,
         a.authorized_at, a.updated_at AS authorizer_updated_at
    FROM tenants t
    LEFT JOIN authorizers a ON a.tenant_id = t.id`;

const DEFAULT_PAGE = 20;

export function toTenantView(r: TenantRow): TenantView {
  const sets = r.permission_sets ?? [];
  return {
    id: r.id,
    name: r.name,
    externalId: r.external_id,
    status: r.status,
    authorizer: r.app_id
      ? {
          appId: r.app_id,
          nickName: r.nick_name,
          principalName: r.principal_name,
          serviceType: r.service_type,
          verified: r.verified ?? false,
          permissionSets: sets,
          authorizedAt: r.authorized_at!.toISOString(),
          updatedAt: r.authorizer_updated_at!.toISOString(),
        }
      : null,
    capabilities: { blacklist: r.app_id ? blacklistReadiness(r.status, r.verified ?? false, sets).available : false },
    createdAt: r.created_at.toISOString(),
  };
}

/** Keyset cursor over (created_at, id); opaque to callers. */
function encodeCursor(r: TenantRow): string {
  return Buffer.from(JSON.stringify([r.created_at.toISOString(), r.id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'string' && !Number.isNaN(Date.parse(at)) && typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id)) {
      return [at, id];
    }
  } catch {
    // fall through
  }
  throw new ValidationError('The request is invalid.', { fields: [{ field: 'cursor', messages: ['cursor is not valid'] }] });
}

/** Tenants: creation, listing, keys and deletion. Every lookup is by tenant id and skips deleted tenants. */
@Injectable()
export class TenantsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(input: { name: string; externalId?: string }): Promise<CreatedTenantView> {
    const apiKey = generateTenantApiKey();
    try {
      const rows: TenantRow[] = await this.dataSource.query(
        `INSERT INTO tenants (name, external_id, api_key_hash) VALUES ($1, $2, $3)
         RETURNING id, name, external_id, status, created_at`,
        [input.name, input.externalId ?? null, hashApiKey(apiKey)],
      );
      const r = rows[0];
      return {
        id: r.id,
        name: r.name,
        externalId: r.external_id,
        status: r.status,
        apiKey,
        createdAt: r.created_at.toISOString(),
      };
    } catch (e) {
      if ((e as { code?: string }).code === '23505' && /external_id/.test((e as { constraint?: string }).constraint ?? '')) {
        throw new TenantExistsError();
      }
      throw e;
    }
  }

  async get(tenantId: TenantId): Promise<TenantView> {
    const rows: TenantRow[] = await this.dataSource.query(`${TENANT_SELECT} WHERE t.id = $1 AND t.deleted_at IS NULL`, [
      tenantId,
    ]);
    if (!rows[0]) throw new TenantNotFoundError();
    return toTenantView(rows[0]);
  }

  async list(query: { status?: TenantStatus; limit?: number; cursor?: string }): Promise<TenantPageView> {
    const limit = query.limit ?? DEFAULT_PAGE;
    const params: unknown[] = [];
    const where = ['t.deleted_at IS NULL'];
    if (query.status) {
      params.push(query.status);
      where.push(`t.status = $${params.length}`);
    }
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor);
      params.push(at, id);
      where.push(`(t.created_at, t.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit + 1);
    const rows: TenantRow[] = await this.dataSource.query(
      `${TENANT_SELECT} WHERE ${where.join(' AND ')} ORDER BY t.created_at, t.id LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    return { items: page.map(toTenantView), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null };
  }

  /** Issues a new key; the old digest is overwritten, so the previous key stops working at once. */
  async rotateApiKey(tenantId: TenantId): Promise<{ apiKey: string }> {
    const apiKey = generateTenantApiKey();
    const [, affected] = (await this.dataSource.query(
      `UPDATE tenants SET api_key_hash = $2, updated_at = now() WHERE id = $1 AND deleted_at IS NULL`,
      [tenantId, hashApiKey(apiKey)],
    )) as [unknown, number];
    if (!affected) throw new TenantNotFoundError();
    return { apiKey };
  }

  /**
   * Soft delete: the row stays for audit history, but the tenant vanishes from every lookup,
   * its key digest is replaced by one of a key nobody holds, and its authorizer row (tokens,
   * and the binding of the Official Account) is removed.
   */
  async delete(tenantId: TenantId): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const [, affected] = (await m.query(
        `UPDATE tenants SET deleted_at = now(), updated_at = now(), api_key_hash = $2 WHERE id = $1 AND deleted_at IS NULL`,
        [tenantId, hashApiKey(generateTenantApiKey())],
      )) as [unknown, number];
      if (!affected) throw new TenantNotFoundError();
      await m.query(`DELETE FROM authorizers WHERE tenant_id = $1`, [tenantId]);
      await m.query(`DELETE FROM pre_auth_codes WHERE tenant_id = $1`, [tenantId]);
      await m.query(`UPDATE authorization_sessions SET expires_at = LEAST(expires_at, now()) WHERE tenant_id = $1`, [tenantId]);
    });
  }
}
