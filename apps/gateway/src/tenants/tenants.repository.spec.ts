import { ChangeNotices } from '../platform/database/change-notices';
import type { DataSource } from 'typeorm';
import { repositorySpecDatabase } from '../../../../test/support/repository-database';
import type { TenantId } from './tenant-id';
import { TenantExistsError } from './tenant.errors';
import { TenantsRepository } from './tenants.repository';

describe('TenantsRepository (on a cloned test database)', () => {
  let dataSource: DataSource;
  let tenants: TenantsRepository;
  let n = 0;
  const create = () => tenants.create({ name: 'T', externalId: `ext-${++n}`, apiKeyHash: `${n}`.padStart(64, 'a') });

  beforeAll(async () => {
    ({ dataSource } = await repositorySpecDatabase());
    tenants = new TenantsRepository(dataSource, new ChangeNotices(dataSource));
  });
  afterAll(() => dataSource?.destroy());

  it('creates pending tenants and refuses a second live one with the same externalId', async () => {
    const t = await create();
    expect(t).toMatchObject({ name: 'T', status: 'pending', externalId: `ext-${n}` });
    await expect(tenants.create({ name: 'U', externalId: `ext-${n}`, apiKeyHash: 'f'.repeat(64) })).rejects.toBeInstanceOf(
      TenantExistsError,
    );
  });

  it('finds the live tenant by API key digest, and no longer once deleted', async () => {
    const t = await create();
    const hash = `${n}`.padStart(64, 'a');
    expect(await tenants.findByApiKeyHash(hash)).toEqual({ id: t.id, apiKeyHash: hash });
    expect(await tenants.isLive(t.id)).toBe(true);
    await dataSource.transaction((m) => tenants.softDelete(t.id, 'd'.repeat(64), m));
    expect(await tenants.findByApiKeyHash(hash)).toBeUndefined();
    expect(await tenants.isLive(t.id)).toBe(false);
    expect(await tenants.findWithAccount(t.id)).toBeUndefined();
  });

  it('changes status only from an allowed status', async () => {
    const t = await create();
    const status = async (id: TenantId) => (await tenants.findWithAccount(id))!.status;
    await dataSource.transaction(async (m) => {
      // pending is not active: a rejected refresh token cannot move it.
      expect(await tenants.requireReauthorization(t.id, m)).toBe(false);
      expect(await tenants.activate(t.id, m)).toBe(true);
      expect(await tenants.requireReauthorization(t.id, m)).toBe(true);
    });
    expect(await status(t.id)).toBe('reauthorization_required');
    expect(await tenants.setStatus(t.id, ['active'], 'revoked')).toBe(false);
    expect(await status(t.id)).toBe('reauthorization_required');
    await dataSource.transaction((m) => tenants.markRevoked(t.id, m));
    expect(await status(t.id)).toBe('revoked');
  });

  it('pages oldest first by (created_at, id) and filters by status', async () => {
    const a = await create();
    const b = await create();
    // Two tenants created in the same millisecond are ordered by id, so which of a and b comes
    // first is the order's to say, not the order of creation.
    const byCreatedThenId = (x: { createdAt: Date; id: string }, y: { createdAt: Date; id: string }) =>
      x.createdAt.getTime() - y.createdAt.getTime() || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
    const all = await tenants.listWithAccount({ limit: 1000 });
    for (let i = 1; i < all.length; i++) expect(byCreatedThenId(all[i - 1], all[i])).toBeLessThan(0);
    const [first, second] = byCreatedThenId(a, b) < 0 ? [a, b] : [b, a];
    const ids = all.map((t) => t.id);
    expect(ids.indexOf(first.id)).toBeLessThan(ids.indexOf(second.id));
    const after = await tenants.listWithAccount({
      after: { createdAt: first.createdAt.toISOString(), id: first.id },
      limit: 1000,
    });
    expect(after.map((t) => t.id)).not.toContain(first.id);
    expect(after.map((t) => t.id)).toContain(second.id);
    expect((await tenants.listWithAccount({ status: 'revoked', limit: 1000 })).every((t) => t.status === 'revoked')).toBe(true);
  });
});
