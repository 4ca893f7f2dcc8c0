import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ValidationError } from '@app/common';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { IdempotencyKeyInUseError, IdempotencyKeyReusedError } from './blacklist.errors';
import { sql } from '../database/sql';
import type { TenantId } from '../tenants/tenant-id';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** How long a stored reply answers repeats of its key. */
const RETENTION_HOURS = 24;
/** A claim older than this was left by a crashed request; it may be taken over. */
const ABANDONED_AFTER_SECONDS = 600;
/** How long a repeat waits for the original request to finish. */
const WAIT_MS = 30_000;

export type Claim<T> = { kind: 'claimed' } | { kind: 'replay'; response: T };

/** Validates the Idempotency-Key header value; undefined when absent. */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (!KEY_PATTERN.test(value)) {
    throw new ValidationError('The request is invalid.', {
      fields: [{ field: 'Idempotency-Key', messages: ['Idempotency-Key must be 1-255 visible ASCII characters'] }],
    });
  }
  return value;
}

/** Same action and same set of openids → same hash, whatever the order or repetitions. */
export function requestHash(action: string, openids: readonly string[]): string {
  const sorted = [...new Set(openids)].sort();
  return createHash('sha256')
    .update(JSON.stringify({ action, openids: sorted }))
    .digest('hex');
}

/**
 * Idempotency keys per tenant. The row is claimed (inserted) before WeChat is called, so of
 * two concurrent requests with one key only one calls WeChat; the other waits for the stored
 * reply. Only 200 replies are kept; an error releases the key so the request can be retried.
 */
@Injectable()
export class IdempotencyService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async claim<T>(tenantId: TenantId, key: string, hash: string): Promise<Claim<T>> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const inserted = await sql(
        this.dataSource,
        `INSERT INTO blacklist_idempotency_keys (tenant_id, idempotency_key, request_hash) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING 1`,
        [tenantId, key, hash],
      );
      if (inserted.rows.length === 1) return { kind: 'claimed' };
      const { rows } = await sql<{
        request_hash: string;
        state: string;
        response: T;
        expired: boolean;
        abandoned: boolean;
        created_at: Date;
      }>(
        this.dataSource,
        `SELECT request_hash, state, response, created_at,
                created_at < now() - make_interval(hours => $3) AS expired,
                state = 'in_progress' AND created_at < now() - make_interval(secs => $4) AS abandoned
           FROM blacklist_idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2`,
        [tenantId, key, RETENTION_HOURS, ABANDONED_AFTER_SECONDS],
      );
      const row = rows[0];
      if (!row) continue; // released between our insert and our read
      if (row.expired || row.abandoned) {
        await sql(
          this.dataSource,
          `DELETE FROM blacklist_idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2 AND created_at = $3`,
          [tenantId, key, row.created_at],
        );
        continue;
      }
      if (row.request_hash !== hash) throw new IdempotencyKeyReusedError();
      if (row.state === 'completed') return { kind: 'replay', response: row.response };
      if (Date.now() > deadline) throw new IdempotencyKeyInUseError();
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async complete(tenantId: TenantId, key: string, response: unknown): Promise<void> {
    await sql(
      this.dataSource,
      `UPDATE blacklist_idempotency_keys SET state = 'completed', response = $3::jsonb, completed_at = now()
        WHERE tenant_id = $1 AND idempotency_key = $2`,
      [tenantId, key, JSON.stringify(response)],
    );
  }

  async release(tenantId: TenantId, key: string): Promise<void> {
    await sql(
      this.dataSource,
      `DELETE FROM blacklist_idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2 AND state = 'in_progress'`,
      [tenantId, key],
    );
  }
}
