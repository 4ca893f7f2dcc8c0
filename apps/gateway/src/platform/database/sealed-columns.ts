import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SecretCipher } from '@app/common';
import type { DataSource } from 'typeorm';
import { sql } from './sql';

/** A column holding values sealed with SecretCipher (`v1.<keyId>.…`), and its table's primary key (a column or an expression). */
export interface SealedColumn {
  table: string;
  key: string;
  column: string;
}

/**
 * Every sealed column. Each table's own repository re-seals its columns (resealColumn below);
 * this list lets the census count what is left without knowing the repositories.
 */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'authorizers', key: 'tenant_id', column: 'access_token' },
  { table: 'authorizers', key: 'tenant_id', column: 'refresh_token' },
  { table: 'component_state', key: 'component_app_id', column: 'ticket' },
  { table: 'component_state', key: 'component_app_id', column: 'access_token' },
  { table: 'webhook_endpoints', key: 'id', column: 'secret' },
  { table: 'webhook_endpoints', key: 'id', column: 'previous_secret' },
  { table: 'pre_auth_codes', key: 'code_hash', column: 'code_sealed' },
  // Two-column primary key, written as one text expression (the walk pages and compares by it).
  { table: 'jssdk_tickets', key: "(tenant_id::text || ':' || type)", column: 'ticket' },
];

export interface ResealCount {
  resealed: number;
  /** Sealed under a key the cipher does not hold (or malformed): left as they are. */
  unreadable: number;
}

const PAGE = 500;

/** Values not sealed as the cipher seals now: under another key, or not bound to their place (`v1.…`). */
const stale = (column: string, prefix: number) => `(${column} IS NOT NULL AND left(${column}, length($${prefix})) <> $${prefix})`;

/**
 * Re-seals one column's values under the cipher's current key and for their place (table,
 * column, row), row by row, each a compare-and-swap on the old ciphertext: a value a serving
 * instance rewrote meanwhile (a refresh, a rotation) is already sealed as now and is left alone.
 * Safe while instances serve. `onlyUnbound`: just the values sealed before places were bound
 * (what start-up re-seals; values under the previous key are left to `npm run secrets:reseal`).
 */
export async function resealColumn(
  ds: DataSource,
  cipher: SecretCipher,
  c: SealedColumn,
  opts: { onlyUnbound?: boolean } = {},
): Promise<ResealCount> {
  const out: ResealCount = { resealed: 0, unreadable: 0 };
  let after: string | null = null;
  const which = opts.onlyUnbound ? `(${c.column} LIKE 'v1.%' AND $1::text <> '')` : stale(c.column, 1);
  for (;;) {
    const { rows }: { rows: { k: string; v: string }[] } = await sql<{ k: string; v: string }>(
      ds,
      `SELECT ${c.key}::text AS k, ${c.column} AS v FROM ${c.table}
        WHERE ${which} AND ($2::text IS NULL OR ${c.key}::text > $2)
        ORDER BY ${c.key}::text LIMIT ${PAGE}`,
      [cipher.currentPrefix, after],
    );
    if (!rows.length) return out;
    for (const r of rows) {
      const at = { table: c.table, column: c.column, row: r.k };
      let plaintext: string;
      try {
        plaintext = cipher.unsealForReseal(r.v, at);
      } catch {
        out.unreadable++;
        continue;
      }
      const { count } = await sql(ds, `UPDATE ${c.table} SET ${c.column} = $3 WHERE ${c.key}::text = $1 AND ${c.column} = $2`, [
        r.k,
        r.v,
        cipher.encrypt(plaintext, at),
      ]);
      out.resealed += count;
    }
    after = rows[rows.length - 1].k;
  }
}

/** How many rows of each table still hold a value sealed under a key other than the current one, or unbound. */
@Injectable()
export class SealedSecretsCensus {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cipher: SecretCipher,
  ) {}

  get currentKeyId(): string {
    return this.cipher.currentKeyId;
  }

  async rowsUnderOtherKeys(): Promise<Record<string, number>> {
    const byTable = new Map<string, string[]>();
    for (const c of SEALED_COLUMNS) byTable.set(c.table, [...(byTable.get(c.table) ?? []), c.column]);
    const counts: Record<string, number> = {};
    for (const [table, columns] of byTable) {
      const due = columns.map((col) => stale(col, 1)).join(' OR ');
      const { rows } = await sql<{ n: number }>(this.dataSource, `SELECT count(*)::int AS n FROM ${table} WHERE ${due}`, [
        this.cipher.currentPrefix,
      ]);
      counts[table] = rows[0].n;
    }
    return counts;
  }
}
