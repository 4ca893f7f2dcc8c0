import type { EntityManager } from 'typeorm';

/** Bigint key for pg_advisory_xact_lock, derived in SQL from a readable name. */
export const ADVISORY_LOCK_SQL = 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))';

/**
 * Holds a named lock until the transaction of `m` ends: how "once across instances" is
 * decided (token refreshes, code exchanges, binding an account). Names read `wtg:<what>:<id>`.
 */
export async function lockForTransaction(m: EntityManager, name: string): Promise<void> {
  await m.query(ADVISORY_LOCK_SQL, [name]);
}
