import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ChangeNotices } from '../database/change-notices';
import { sql } from '../database/sql';
import type { TenantId } from '../../tenants/tenant-id';

export interface TokenKeyRecord {
  id: string;
  name: string;
  createdAt: Date;
}

interface TokenKeyRow {
  id: string;
  name: string;
  created_at: Date;
}

const toRecord = (r: TokenKeyRow): TokenKeyRecord => ({ id: r.id, name: r.name, createdAt: new Date(r.created_at) });

/** token_keys: its only reader and writer. Keys of deleted tenants match nothing. */
@Injectable()
export class TokenKeysRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly notices: ChangeNotices,
  ) {}

  async create(tenantId: TenantId, input: { name: string; keyHash: string }): Promise<TokenKeyRecord> {
    const { rows } = await sql<TokenKeyRow>(
      this.dataSource,
      `INSERT INTO token_keys (tenant_id, name, key_hash) VALUES ($1, $2, $3) RETURNING id, name, created_at`,
      [tenantId, input.name, input.keyHash],
    );
    return toRecord(rows[0]);
  }

  /** Oldest first; a tenant holds a handful of these, so no paging. */
  async list(tenantId: TenantId): Promise<TokenKeyRecord[]> {
    const { rows } = await sql<TokenKeyRow>(
      this.dataSource,
      `SELECT id, name, created_at FROM token_keys WHERE tenant_id = $1 ORDER BY created_at, id`,
      [tenantId],
    );
    return rows.map(toRecord);
  }

  /** Revokes at once: the row goes, so the next lookup of the key finds nothing. False when there was none. */
  async delete(tenantId: TenantId, keyId: string): Promise<boolean> {
    const { count } = await sql(this.dataSource, `DELETE FROM token_keys WHERE tenant_id = $1 AND id = $2`, [tenantId, keyId]);
    this.notices.changed('token_keys', tenantId);
    return count > 0;
  }

  /** The key with this digest, if its tenant is live (the guard compares the digest again in constant time). */
  async findByKeyHash(keyHash: string): Promise<{ id: string; tenantId: TenantId; keyHash: string } | undefined> {
    const { rows } = await sql<{ id: string; tenant_id: TenantId; key_hash: string }>(
      this.dataSource,
      `SELECT k.id, k.tenant_id, k.key_hash
         FROM token_keys k JOIN tenants t ON t.id = k.tenant_id AND t.deleted_at IS NULL
        WHERE k.key_hash = $1`,
      [keyHash],
    );
    return rows[0] && { id: rows[0].id, tenantId: rows[0].tenant_id, keyHash: rows[0].key_hash };
  }
}
