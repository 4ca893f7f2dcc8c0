import { Injectable, Logger } from '@nestjs/common';
import { ValidationError } from '@app/common';
import { createHash } from 'node:crypto';
import { storeSoonOrLater } from '../platform/database/database-unavailable';
import { IdempotencyKeyInUseError, IdempotencyKeyReusedError } from './idempotency.errors';
import type { TenantId } from '../tenants/tenant-id';
import { IdempotencyRepository } from './idempotency.repository';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** How long a stored reply answers repeats of its key. */
const RETENTION_HOURS = 24;
/** A claim older than this was left by a crashed request; it may be taken over. */
const ABANDONED_AFTER_SECONDS = 600;
/** How long a repeat waits for the original request to finish. */
const WAIT_MS = 30_000;
/** How long a reply waits for its key's write while the database is unreachable before answering anyway. */
const WRITE_WAIT_MS = 10_000;

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
  private readonly logger = new Logger(IdempotencyService.name);

  constructor(private readonly keys: IdempotencyRepository) {}

  async claim<T>(tenantId: TenantId, key: string, hash: string): Promise<Claim<T>> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      if (await this.keys.insert(tenantId, key, hash)) return { kind: 'claimed' };
      const row = await this.keys.find<T>(tenantId, key, {
        retentionHours: RETENTION_HOURS,
        abandonedAfterSeconds: ABANDONED_AFTER_SECONDS,
      });
      if (!row) continue; // released between our insert and our read
      if (row.expired || row.abandoned) {
        await this.keys.deleteIfCreatedAt(tenantId, key, row.createdAt);
        continue;
      }
      if (row.requestHash !== hash) throw new IdempotencyKeyReusedError();
      if (row.state === 'completed') return { kind: 'replay', response: row.response };
      if (Date.now() > deadline) throw new IdempotencyKeyInUseError();
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Stores the reply. A database blip must neither hide the result WeChat already applied nor
   * leave the key locked: the write is retried, and if the database stays unreachable the
   * caller is answered while the write continues in the background.
   */
  complete(tenantId: TenantId, key: string, response: unknown): Promise<void> {
    return storeSoonOrLater(() => this.keys.complete(tenantId, key, response), WRITE_WAIT_MS, this.logger, 'idempotency reply');
  }

  /** Frees the key after a failed request; retried in the background until the database takes it. */
  release(tenantId: TenantId, key: string): Promise<void> {
    return storeSoonOrLater(() => this.keys.release(tenantId, key), 0, this.logger, 'idempotency key release');
  }

  /** Housekeeping: keys past their 24 hours, in batches of `batch` until none is left. */
  async deleteExpired(batch = 5000): Promise<number> {
    let removed = 0;
    for (;;) {
      const n = await this.keys.deleteExpired(RETENTION_HOURS, batch);
      removed += n;
      if (n < batch) return removed;
    }
  }
}
