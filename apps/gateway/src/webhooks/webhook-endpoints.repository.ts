import { type ResealCount, resealColumn, SEALED_COLUMNS } from '../platform/database/sealed-columns';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SecretCipher } from '@app/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { lockForTransaction } from '../platform/database/advisory-lock';
import { preparedSql, sql } from '../platform/database/sql';
import type { TenantId } from '../tenants/tenant-id';
import type { KeysetPosition } from '../platform/validation/page-cursor';

/** Whose endpoints: a tenant's, or (null) the operator's. */
export type EndpointOwner = TenantId | null;

export interface WebhookEndpointRecord {
  id: string;
  tenantId: TenantId | null;
  url: string;
  types: string[];
  description: string | null;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** What the delivery worker needs of an endpoint; `secrets` are plaintext, current first. */
export interface EndpointForDelivery {
  id: string;
  url: string;
  /** Enabled, and (for a tenant endpoint) its tenant not deleted. */
  receiving: boolean;
  secrets: string[];
}

interface Row {
  id: string;
  tenant_id: string | null;
  url: string;
  types: string[];
  description: string | null;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, tenant_id, url, types, description, enabled, created_at, updated_at';

const toRecord = (r: Row): WebhookEndpointRecord => ({
  id: r.id,
  tenantId: r.tenant_id as TenantId | null,
  url: r.url,
  types: r.types,
  description: r.description,
  enabled: r.enabled,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The sealed columns of this table. */
type SecretColumn = 'secret' | 'previous_secret';

/** Where an endpoint's secret is sealed: the cipher binds it to its row and column. */
const place = (id: string, column: SecretColumn) => ({ table: 'webhook_endpoints', column, row: id });

/** `tenant_id = $n` or `tenant_id IS NULL`: two plain predicates, so the page indexes apply. */
const ownerIs = (owner: EndpointOwner, n: number) =>
  owner === null ? `tenant_id IS NULL AND $${n}::uuid IS NULL` : `tenant_id = $${n}`;

/**
 * The webhook_endpoints table. Every read and write is scoped by owner, so an id from
 * another tenant (or an operator endpoint's id under a tenant) simply finds nothing.
 * Secrets are sealed here with the injected SecretCipher and only unsealed for delivery.
 */
/**
 * The endpoints that receive an event of type `$type` for tenant `$tenant` (null: an event of no
 * tenant): enabled, subscribed to the type (or to everything), and either the operator's or the
 * live tenant's own (a tenant's endpoints never receive component events). A fragment for the
 * outbox's insert, which makes the event and its deliveries in one statement.
 */
export function receivingEndpointsSql(tenant: string, type: string): string {
  return `SELECT e.id, e.tenant_id FROM webhook_endpoints e
       WHERE e.enabled AND (cardinality(e.types) = 0 OR ${type} = ANY (e.types))
         AND (e.tenant_id IS NULL
              OR (${tenant}::uuid IS NOT NULL AND e.tenant_id = ${tenant} AND ${type} NOT LIKE 'component.%'
                  AND EXISTS (SELECT 1 FROM tenants t WHERE t.id = e.tenant_id AND t.deleted_at IS NULL)))`;
}

@Injectable()
export class WebhookEndpointsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cipher: SecretCipher,
  ) {}

  /**
   * Undefined when a tenant owner already has `maxForTenant` endpoints; the count and the insert
   * happen under the owner's lock, so concurrent creates cannot pass the cap together.
   */
  async create(
    owner: EndpointOwner,
    e: { url: string; types: string[]; description: string | null; secret: string },
    maxForTenant: number,
  ): Promise<WebhookEndpointRecord | undefined> {
    return this.dataSource.transaction(async (m) => {
      if (owner !== null) {
        await lockForTransaction(m, `wtg:webhook-endpoints:${owner}`);
        const { rows } = await sql<{ n: number }>(m, `SELECT count(*)::int AS n FROM webhook_endpoints WHERE tenant_id = $1`, [
          owner,
        ]);
        if (rows[0].n >= maxForTenant) return undefined;
      }
      // The id is chosen here: the secret is sealed for its row.
      const id = randomUUID();
      const { rows } = await sql<Row>(
        m,
        `INSERT INTO webhook_endpoints (id, tenant_id, url, types, description, secret) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING ${COLUMNS}`,
        [id, owner, e.url, e.types, e.description, this.seal(id, 'secret', e.secret)],
      );
      return toRecord(rows[0]);
    });
  }

  /** Oldest first, `limit + 1` rows so the caller knows whether another page follows. */
  async list(owner: EndpointOwner, limit: number, after?: KeysetPosition): Promise<WebhookEndpointRecord[]> {
    const params: unknown[] = [owner, limit + 1];
    let where = ownerIs(owner, 1);
    if (after) {
      params.push(after.at, after.id);
      where += ` AND (created_at, id) > ($3, $4)`;
    }
    const { rows } = await sql<Row>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM webhook_endpoints WHERE ${where} ORDER BY created_at, id LIMIT $2`,
      params,
    );
    return rows.map(toRecord);
  }

  async get(owner: EndpointOwner, id: string): Promise<WebhookEndpointRecord | undefined> {
    const { rows } = await sql<Row>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM webhook_endpoints WHERE ${ownerIs(owner, 1)} AND id = $2`,
      [owner, id],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async update(
    owner: EndpointOwner,
    id: string,
    patch: { url?: string; types?: string[]; description?: string | null; enabled?: boolean },
  ): Promise<WebhookEndpointRecord | undefined> {
    const { rows } = await sql<Row>(
      this.dataSource,
      `UPDATE webhook_endpoints SET
         url = COALESCE($3, url),
         types = COALESCE($4, types),
         description = CASE WHEN $5::boolean THEN $6 ELSE description END,
         enabled = COALESCE($7, enabled),
         updated_at = now()
       WHERE ${ownerIs(owner, 1)} AND id = $2
       RETURNING ${COLUMNS}`,
      [
        owner,
        id,
        patch.url ?? null,
        patch.types ?? null,
        patch.description !== undefined,
        patch.description ?? null,
        patch.enabled ?? null,
      ],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async delete(owner: EndpointOwner, id: string): Promise<boolean> {
    const { count } = await sql(this.dataSource, `DELETE FROM webhook_endpoints WHERE ${ownerIs(owner, 1)} AND id = $2`, [
      owner,
      id,
    ]);
    return count > 0;
  }

  /**
   * The current secret becomes the previous one, still signing until `previousExpiresAt`. It is
   * sealed again for its new column (a sealed value opens only in the column it was sealed for).
   */
  async rotateSecret(owner: EndpointOwner, id: string, secret: string, previousExpiresAt: Date): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const { rows } = await sql<{ secret: string }>(
        m,
        `SELECT secret FROM webhook_endpoints WHERE ${ownerIs(owner, 1)} AND id = $2 FOR UPDATE`,
        [owner, id],
      );
      if (!rows[0]) return false;
      const previous = this.cipher.decrypt(rows[0].secret, place(id, 'secret'));
      await sql(
        m,
        `UPDATE webhook_endpoints
           SET previous_secret = $4, previous_secret_expires_at = $5, secret = $3, updated_at = now()
         WHERE ${ownerIs(owner, 1)} AND id = $2`,
        [owner, id, this.seal(id, 'secret', secret), this.seal(id, 'previous_secret', previous), previousExpiresAt],
      );
      return true;
    });
  }

  private seal(id: string, column: SecretColumn, plaintext: string): string {
    return this.cipher.encrypt(plaintext, place(id, column));
  }

  /** For the worker, which holds endpoint ids from claimed deliveries (no owner to scope by). */
  async forDelivery(ids: string[]): Promise<Map<string, EndpointForDelivery>> {
    const { rows } = await preparedSql<{
      id: string;
      url: string;
      receiving: boolean;
      secret: string;
      previous_secret: string | null;
    }>(
      this.dataSource,
      'webhook_endpoints_for_delivery',
      `SELECT e.id, e.url,
              e.enabled AND (e.tenant_id IS NULL OR EXISTS (SELECT 1 FROM tenants t WHERE t.id = e.tenant_id AND t.deleted_at IS NULL)) AS receiving,
              e.secret,
              CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret END AS previous_secret
       FROM webhook_endpoints e WHERE e.id = ANY ($1::uuid[])`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.id,
        {
          id: r.id,
          url: r.url,
          receiving: r.receiving,
          secrets: [
            this.cipher.decrypt(r.secret, place(r.id, 'secret')),
            ...(r.previous_secret ? [this.cipher.decrypt(r.previous_secret, place(r.id, 'previous_secret'))] : []),
          ],
        },
      ]),
    );
  }

  /** Re-seals this table's secrets under the current key (npm run secrets:reseal), compare-and-swap per row. */
  async resealSecrets(): Promise<ResealCount> {
    const total: ResealCount = { resealed: 0, unreadable: 0 };
    for (const c of SEALED_COLUMNS.filter((s) => s.table === 'webhook_endpoints')) {
      const n = await resealColumn(this.dataSource, this.cipher, c);
      total.resealed += n.resealed;
      total.unreadable += n.unreadable;
    }
    return total;
  }
}
