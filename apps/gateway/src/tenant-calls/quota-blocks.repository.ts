import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ChangeNotices } from '../platform/database/change-notices';
import { sql } from '../platform/database/sql';
import type { TenantId } from '../tenants/tenant-id';

/**
 * Every read and write of wechat_quota_blocks. Scoped by tenant, except the housekeeping
 * delete, which sweeps every tenant's lapsed blocks. "Now" is the database's clock, the one
 * every instance shares.
 */
@Injectable()
export class QuotaBlocksRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notices: ChangeNotices,
  ) {}

  /** Upserts the block, keeping the later end if one is already stored; returns the effective end. */
  async block(tenantId: TenantId, api: string, until: Date): Promise<Date> {
    const { rows } = await sql<{ blocked_until: Date }>(
      this.dataSource,
      `INSERT INTO wechat_quota_blocks AS b (tenant_id, api, blocked_until) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, api) DO UPDATE SET blocked_until = GREATEST(b.blocked_until, EXCLUDED.blocked_until),
         created_at = CASE WHEN b.blocked_until < now() THEN now() ELSE b.created_at END
       RETURNING blocked_until`,
      [tenantId, api, until],
    );
    this.notices.changed('wechat_quota_blocks', tenantId);
    return new Date(rows[0].blocked_until);
  }

  /** The end of the block still in force, if any. */
  async blockedUntil(tenantId: TenantId, api: string): Promise<Date | undefined> {
    const { rows } = await sql<{ blocked_until: Date }>(
      this.dataSource,
      `SELECT blocked_until FROM wechat_quota_blocks WHERE tenant_id = $1 AND api = $2 AND blocked_until > now()`,
      [tenantId, api],
    );
    return rows[0] ? new Date(rows[0].blocked_until) : undefined;
  }

  /** Every block of the tenant's still in force, by API. */
  async blocksInForce(tenantId: TenantId): Promise<Map<string, Date>> {
    const { rows } = await sql<{ api: string; blocked_until: Date }>(
      this.dataSource,
      `SELECT api, blocked_until FROM wechat_quota_blocks WHERE tenant_id = $1 AND blocked_until > now()`,
      [tenantId],
    );
    return new Map(rows.map((r) => [r.api, new Date(r.blocked_until)]));
  }

  /** Housekeeping across all tenants: blocks that lifted more than a day ago. */
  async deleteLapsed(): Promise<number> {
    const { count } = await sql(
      this.dataSource,
      `DELETE FROM wechat_quota_blocks WHERE blocked_until < now() - interval '1 day'`,
    );
    return count;
  }
}
