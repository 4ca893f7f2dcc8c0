import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';
import { sql } from '../platform/database/sql';
import type { TenantId } from '../tenants/tenant-id';
import { IdempotencyKeyEntity } from './idempotency-key.entity';

/** A key's stored state as `claim` sees it. */
export interface IdempotencyKeyRecord<T> {
  requestHash: string;
  state: 'in_progress' | 'completed';
  response: T;
  createdAt: Date;
  /** Older than the retention: it answers nothing any more. */
  expired: boolean;
  /** Still in progress after the abandonment limit: left by a crashed request. */
  abandoned: boolean;
}

interface KeyRow {
  request_hash: string;
  state: 'in_progress' | 'completed';
  response: unknown;
  created_at: Date;
  expired: boolean;
  abandoned: boolean;
}

/** Every read and write of blacklist_idempotency_keys; each method but the housekeeping delete is scoped by tenant. */
@Injectable()
export class IdempotencyRepository {
  private readonly keys: Repository<IdempotencyKeyEntity>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.keys = dataSource.getRepository(IdempotencyKeyEntity);
  }

  /** Inserts the key as in progress; false when it already exists (whoever holds it). */
  async insert(tenantId: TenantId, key: string, requestHash: string): Promise<boolean> {
    const { rows } = await sql(
      this.dataSource,
      `INSERT INTO blacklist_idempotency_keys (tenant_id, idempotency_key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING 1`,
      [tenantId, key, requestHash],
    );
    return rows.length === 1;
  }

  /** The key with its age judged by the database clock. */
  async find<T>(
    tenantId: TenantId,
    key: string,
    limits: { retentionHours: number; abandonedAfterSeconds: number },
  ): Promise<IdempotencyKeyRecord<T> | undefined> {
    const { rows } = await sql<KeyRow>(
      this.dataSource,
      `SELECT request_hash, state, response, created_at,
              created_at < now() - make_interval(hours => $3) AS expired,
              state = 'in_progress' AND created_at < now() - make_interval(secs => $4) AS abandoned
         FROM blacklist_idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2`,
      [tenantId, key, limits.retentionHours, limits.abandonedAfterSeconds],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      requestHash: row.request_hash,
      state: row.state,
      response: row.response as T,
      createdAt: row.created_at,
      expired: row.expired,
      abandoned: row.abandoned,
    };
  }

  /** Deletes the key if it is still the one created at `createdAt` (nobody took it over meanwhile). */
  async deleteIfCreatedAt(tenantId: TenantId, key: string, createdAt: Date): Promise<void> {
    await sql(
      this.dataSource,
      `DELETE FROM blacklist_idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2 AND created_at = $3`,
      [tenantId, key, createdAt],
    );
  }

  async complete(tenantId: TenantId, key: string, response: unknown): Promise<void> {
    await this.keys.update(
      { tenantId, idempotencyKey: key },
      { state: 'completed', response: response as object, completedAt: () => 'now()' },
    );
  }

  /** Frees a key still in progress (its request failed), so it can be retried. */
  async release(tenantId: TenantId, key: string): Promise<void> {
    await this.keys.delete({ tenantId, idempotencyKey: key, state: 'in_progress' });
  }

  /** Housekeeping across all tenants: keys past their retention, oldest first, at most `limit`. */
  async deleteExpired(retentionHours: number, limit: number): Promise<number> {
    const { count } = await sql(
      this.dataSource,
      `DELETE FROM blacklist_idempotency_keys WHERE ctid IN (
         SELECT ctid FROM blacklist_idempotency_keys WHERE created_at < now() - make_interval(hours => $1) ORDER BY created_at LIMIT $2)`,
      [retentionHours, limit],
    );
    return count;
  }
}
