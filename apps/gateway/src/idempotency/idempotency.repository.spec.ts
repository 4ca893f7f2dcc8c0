import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { repositorySpecDatabase } from '../../../../test/support/repository-database';
import { IdempotencyKeyInUseError, IdempotencyKeyReusedError } from './idempotency.errors';
import type { TenantId } from '../tenants/tenant-id';
import { IdempotencyRepository } from './idempotency.repository';
import { IdempotencyService } from './idempotency.service';

// Repository tier: idempotency keys on a real, migrated database (claim, replay, in use, expiry).

const LIMITS = { retentionHours: 24, abandonedAfterSeconds: 600 };
/** Request hashes are sha256 hex (the column is char(64)). */
const hash = (s: string) => createHash('sha256').update(s).digest('hex');

describe('IdempotencyRepository (and the claim protocol of IdempotencyService on it)', () => {
  let ds: DataSource;
  let repo: IdempotencyRepository;
  let service: IdempotencyService;

  beforeAll(async () => {
    ({ dataSource: ds } = await repositorySpecDatabase());
    repo = new IdempotencyRepository(ds);
    service = new IdempotencyService(repo);
  });
  afterAll(() => ds.destroy());

  async function newTenant(): Promise<TenantId> {
    const rows: { id: TenantId }[] = await ds.query(
      `INSERT INTO tenants (name, status, api_key_hash) VALUES ('repo spec', 'active', md5(random()::text) || md5(random()::text)) RETURNING id`,
    );
    return rows[0].id;
  }
  const age = (t: TenantId, key: string, interval: string) =>
    ds.query(
      `UPDATE blacklist_idempotency_keys SET created_at = now() - $3::interval WHERE tenant_id = $1 AND idempotency_key = $2`,
      [t, key, interval],
    );

  it('insert claims a key once per tenant; find reads it back camelCase', async () => {
    const [t, other] = [await newTenant(), await newTenant()];
    expect(await repo.insert(t, 'k', hash('h1'))).toBe(true);
    expect(await repo.insert(t, 'k', hash('h2'))).toBe(false);
    expect(await repo.insert(other, 'k', hash('h2'))).toBe(true);
    expect(await repo.find(t, 'k', LIMITS)).toEqual({
      requestHash: hash('h1'),
      state: 'in_progress',
      response: null,
      createdAt: expect.any(Date),
      expired: false,
      abandoned: false,
    });
    expect(await repo.find(t, 'nope', LIMITS)).toBeUndefined();
  });

  it('complete stores the reply (jsonb) for replays; release frees only a key still in progress', async () => {
    const t = await newTenant();
    await repo.insert(t, 'a', hash('h'));
    await repo.complete(t, 'a', { action: 'block', succeeded: ['x'], failed: [] });
    await repo.release(t, 'a');
    expect(await repo.find(t, 'a', LIMITS)).toMatchObject({
      state: 'completed',
      response: { action: 'block', succeeded: ['x'], failed: [] },
    });
    await repo.insert(t, 'b', hash('h'));
    await repo.release(t, 'b');
    expect(await repo.find(t, 'b', LIMITS)).toBeUndefined();
  });

  it('claim → complete → the same request replays the stored reply; another body with the key is refused', async () => {
    const t = await newTenant();
    expect(await service.claim(t, 'key-1', hash('hash-a'))).toEqual({ kind: 'claimed' });
    await service.complete(t, 'key-1', { total: 2 });
    expect(await service.claim(t, 'key-1', hash('hash-a'))).toEqual({ kind: 'replay', response: { total: 2 } });
    await expect(service.claim(t, 'key-1', hash('hash-b'))).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it('a repeat while the first is in progress waits for its reply', async () => {
    const t = await newTenant();
    await service.claim(t, 'key-2', hash('h'));
    const repeat = service.claim(t, 'key-2', hash('h'));
    await new Promise((r) => setTimeout(r, 250));
    await service.complete(t, 'key-2', { ok: true });
    await expect(repeat).resolves.toEqual({ kind: 'replay', response: { ok: true } });
  });

  it('a repeat gives up with IDEMPOTENCY_KEY_IN_USE once its wait is over', async () => {
    const t = await newTenant();
    await service.claim(t, 'key-3', hash('h'));
    const realNow = Date.now;
    let calls = 0;
    // The wait is 30 s; let the clock jump past it after the first look.
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + (calls++ > 0 ? 31_000 : 0));
    try {
      await expect(service.claim(t, 'key-3', hash('h'))).rejects.toBeInstanceOf(IdempotencyKeyInUseError);
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('an expired key (24 h) or an abandoned claim (10 min in progress) is taken over', async () => {
    const t = await newTenant();
    await service.claim(t, 'old', hash('h1'));
    await service.complete(t, 'old', { n: 1 });
    await age(t, 'old', '25 hours');
    expect(await repo.find(t, 'old', LIMITS)).toMatchObject({ expired: true });
    expect(await service.claim(t, 'old', hash('h2'))).toEqual({ kind: 'claimed' });

    await service.claim(t, 'stuck', hash('h1'));
    await age(t, 'stuck', '11 minutes');
    expect(await repo.find(t, 'stuck', LIMITS)).toMatchObject({ abandoned: true, expired: false });
    expect(await service.claim(t, 'stuck', hash('h1'))).toEqual({ kind: 'claimed' });
  });

  it('housekeeping deletes keys past the retention, across tenants, in bounded batches', async () => {
    const [t1, t2] = [await newTenant(), await newTenant()];
    for (const [t, key] of [
      [t1, 'e1'],
      [t1, 'e2'],
      [t2, 'e3'],
      [t2, 'fresh'],
    ] as const) {
      await repo.insert(t, key, hash('h'));
      if (key !== 'fresh') await age(t, key, '2 days');
    }
    expect(await repo.deleteExpired(24, 2)).toBe(2);
    expect(await service.deleteExpired(1)).toBe(1);
    expect(await repo.find(t2, 'fresh', LIMITS)).toBeDefined();
    expect(await ds.query(`SELECT 1 FROM blacklist_idempotency_keys WHERE created_at < now() - interval '1 day'`)).toHaveLength(
      0,
    );
  });
});
