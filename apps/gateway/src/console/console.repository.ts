import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sql } from '../platform/database/sql';
import type { TenantId } from '../tenants/tenant-id';

export interface ConsoleTenantRow {
  id: string;
  name: string;
  externalId: string | null;
  status: string;
  appId: string | null;
  nickName: string | null;
  permissionSets: number[];
  tokenExpiresAt: Date | null;
  /** Origins a web-authorization returnUrl may point at. */
  webOAuthOrigins: string[];
  createdAt: Date;
}

export interface ConsoleJobRow {
  id: string;
  action: string;
  status: string;
  total: number;
  processed: number;
  cancelled: number;
  createdAt: Date;
}

export interface ConsoleDeliveryRow {
  endpointId: string;
  eventId: string;
  type: string;
  status: string;
  attemptCount: number;
  url: string;
  /** An operator endpoint (it hears about every tenant), not one of the tenant's own. */
  operatorEndpoint: boolean;
  updatedAt: Date;
}

export interface ConsoleOverviewCounts {
  tenantsByStatus: Record<string, number>;
  quotaBlocksInForce: number;
  deliveriesPending: number;
  deliveriesFailed: number;
  jobsInFlight: number;
}

type TenantRow = {
  id: string;
  name: string;
  external_id: string | null;
  status: string;
  app_id: string | null;
  nick_name: string | null;
  permission_sets: number[] | null;
  access_token_expires_at: Date | null;
  web_oauth_origins: string[] | null;
  created_at: Date;
};

const TENANT_SELECT = `
  SELECT t.id, t.name, t.external_id, t.status, t.created_at, t.web_oauth_origins,
         a.app_id, a.nick_name, a.permission_sets, a.access_token_expires_at
    FROM tenants t LEFT JOIN authorizers a ON a.tenant_id = t.id
   WHERE t.deleted_at IS NULL`;

const toTenant = (r: TenantRow): ConsoleTenantRow => ({
  id: r.id,
  name: r.name,
  externalId: r.external_id,
  status: r.status,
  appId: r.app_id,
  nickName: r.nick_name,
  permissionSets: r.permission_sets ?? [],
  tokenExpiresAt: r.access_token_expires_at,
  webOAuthOrigins: r.web_oauth_origins ?? [],
  createdAt: r.created_at,
});

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Read-only views for the operator console: one round trip per table of a page. It writes
 * nothing (each table keeps its one writing repository); the joins are the console's own views.
 */
@Injectable()
export class ConsoleRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Newest first; `q` matches name, external id, appid or nick name (substring, any case) or the exact tenant id. */
  async searchTenants(query: { q?: string; status?: string; offset: number; limit: number }): Promise<ConsoleTenantRow[]> {
    const { rows } = await sql<TenantRow>(
      this.dataSource,
      `${TENANT_SELECT}
         AND ($1::text IS NULL OR t.status = $1)
         AND ($2::text IS NULL OR t.name ILIKE $2 OR t.external_id ILIKE $2 OR a.app_id ILIKE $2 OR a.nick_name ILIKE $2
              OR t.id::text = lower($3))
       ORDER BY t.created_at DESC, t.id DESC
       LIMIT $4 OFFSET $5`,
      [query.status ?? null, query.q ? likePattern(query.q) : null, query.q ?? null, query.limit, query.offset],
    );
    return rows.map(toTenant);
  }

  async tenant(tenantId: TenantId): Promise<ConsoleTenantRow | undefined> {
    const { rows } = await sql<TenantRow>(this.dataSource, `${TENANT_SELECT} AND t.id = $1`, [tenantId]);
    return rows[0] && toTenant(rows[0]);
  }

  async recentJobs(tenantId: TenantId, limit = 20): Promise<ConsoleJobRow[]> {
    const { rows } = await sql<{
      id: string;
      action: string;
      status: string;
      total: number;
      processed: number;
      cancelled: number;
      created_at: Date;
    }>(
      this.dataSource,
      `SELECT id, action, status, total, succeeded + invalid + failed AS processed, cancelled, created_at
         FROM blacklist_jobs WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
      [tenantId, limit],
    );
    return rows.map((r) => ({ ...r, createdAt: r.created_at }));
  }

  async recentDeliveries(tenantId: TenantId, limit = 20): Promise<ConsoleDeliveryRow[]> {
    const { rows } = await sql<{
      endpoint_id: string;
      event_id: string;
      type: string;
      status: string;
      attempt_count: number;
      url: string;
      operator_endpoint: boolean;
      updated_at: Date;
    }>(
      this.dataSource,
      // About the tenant: the event's tenant, so operator endpoints' deliveries (d.tenant_id null) count too.
      `SELECT d.endpoint_id, d.event_id, e.type, d.status, d.attempt_count, w.url, d.tenant_id IS NULL AS operator_endpoint, d.updated_at
         FROM webhook_events e
         JOIN webhook_deliveries d ON d.event_id = e.id
         JOIN webhook_endpoints w ON w.id = d.endpoint_id
        WHERE e.tenant_id = $1
        ORDER BY d.created_at DESC, d.event_id DESC LIMIT $2`,
      [tenantId, limit],
    );
    return rows.map((r) => ({
      endpointId: r.endpoint_id,
      eventId: r.event_id,
      type: r.type,
      status: r.status,
      attemptCount: r.attempt_count,
      url: r.url,
      operatorEndpoint: r.operator_endpoint,
      updatedAt: r.updated_at,
    }));
  }

  /**
   * A delivery about this tenant: whether its endpoint is an operator one (the owner a redelivery
   * goes through), or undefined when there is no such delivery about this tenant.
   */
  async deliveryAbout(
    tenantId: TenantId,
    endpointId: string,
    eventId: string,
  ): Promise<{ operatorEndpoint: boolean } | undefined> {
    const { rows } = await sql<{ operator_endpoint: boolean }>(
      this.dataSource,
      `SELECT d.tenant_id IS NULL AS operator_endpoint
         FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
        WHERE e.tenant_id = $1 AND d.endpoint_id = $2 AND d.event_id = $3`,
      [tenantId, endpointId, eventId],
    );
    return rows[0] ? { operatorEndpoint: rows[0].operator_endpoint } : undefined;
  }

  /** The overview's counts, one round trip: live tenants by status, quota blocks in force, deliveries, open jobs. */
  async overview(): Promise<ConsoleOverviewCounts> {
    const { rows } = await sql<{ kind: string; key: string; n: string }>(
      this.dataSource,
      `SELECT 'tenant' AS kind, status AS key, count(*) AS n FROM tenants WHERE deleted_at IS NULL GROUP BY status
       UNION ALL SELECT 'blocks', '', count(*) FROM wechat_quota_blocks WHERE blocked_until > now()
       UNION ALL SELECT 'delivery', status, count(*) FROM webhook_deliveries WHERE status IN ('pending', 'failed') GROUP BY status
       UNION ALL SELECT 'jobs', '', count(*) FROM blacklist_jobs WHERE status IN ('queued', 'running', 'paused')`,
    );
    const count = (kind: string, key = '') => Number(rows.find((r) => r.kind === kind && r.key === key)?.n ?? 0);
    return {
      tenantsByStatus: Object.fromEntries(rows.filter((r) => r.kind === 'tenant').map((r) => [r.key, Number(r.n)])),
      quotaBlocksInForce: count('blocks'),
      deliveriesPending: count('delivery', 'pending'),
      deliveriesFailed: count('delivery', 'failed'),
      jobsInFlight: count('jobs'),
    };
  }
}
