import type { DataSource } from 'typeorm';
import { repositorySpecDatabase } from '../../../../test/support/repository-database';
import { ChangeNotices } from '../platform/database/change-notices';
import type { TenantId } from '../tenants/tenant-id';
import { TenantsRepository } from '../tenants/tenants.repository';
import { AuditRepository } from './audit.repository';
import { type AuditRecord, AuditService } from './audit.service';

const event = (requestId: string): AuditRecord => ({
  actor: 'tenant',
  action: 'block',
  total: 20,
  succeeded: 20,
  invalid: 0,
  failed: 0,
  requestId,
});

describe('AuditService group commit (on a cloned test database)', () => {
  let dataSource: DataSource;
  let repository: AuditRepository;
  let tenantId: TenantId;
  // The real repository; only the number and size of its group statements are counted.
  let groups: number[];
  let audit: AuditService;

  beforeAll(async () => {
    ({ dataSource } = await repositorySpecDatabase());
    const tenants = new TenantsRepository(dataSource, new ChangeNotices(dataSource));
    tenantId = (await tenants.create({ name: 'Audit', externalId: 'audit-spec', apiKeyHash: 'c'.repeat(64) })).id;
    repository = new AuditRepository(dataSource);
    const appendMany = repository.appendMany.bind(repository);
    repository.appendMany = (events) => {
      groups.push(events.length);
      return appendMany(events);
    };
  });
  beforeEach(() => {
    groups = [];
    audit = new AuditService(repository);
  });
  afterAll(() => dataSource?.destroy());

  const stored = async (requestIds: string[]) =>
    Number(
      (
        await dataSource.query(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND request_id = ANY($2)`, [
          tenantId,
          requestIds,
        ])
      )[0].n,
    );

  it('acknowledges a record only once its row is committed, and a lone record goes out alone', async () => {
    await audit.record(tenantId, event('lone-1'));
    // Read on another connection of the pool: committed, not merely sent.
    expect(await stored(['lone-1'])).toBe(1);
    expect(groups).toEqual([1]);
  });

  it('writes records that arrive together as one statement', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `together-${i}`);
    await Promise.all(ids.map((id) => audit.record(tenantId, event(id))));
    expect(groups).toEqual([30]);
    expect(await stored(ids)).toBe(30);
  });

  /**
   * One record per event-loop turn, each ahead of the group's own check in that turn: as replies
   * arriving with every poll of a busy gateway do.
   */
  const recordsOnePerTurn = (n: number, prefix: string) =>
    new Promise<Promise<void>[]>((resolve) => {
      const done: Promise<void>[] = [];
      const tick = () => {
        if (done.length + 1 < n) setImmediate(tick);
        done.push(audit.record(tenantId, event(`${prefix}-${done.length}`)));
        if (done.length === n) resolve(done);
      };
      setImmediate(tick);
    });

  it('keeps gathering while records keep arriving, turn after turn, before it writes', async () => {
    await Promise.all(await recordsOnePerTurn(5, 'trickle'));
    expect(groups).toEqual([5]);
    expect(await stored(Array.from({ length: 5 }, (_, i) => `trickle-${i}`))).toBe(5);
  });

  it('stops gathering after 8 turns of arrivals, and what came later goes in the next group', async () => {
    await Promise.all(await recordsOnePerTurn(20, 'stream'));
    // The first record and one more in each of the 8 turns it waited.
    expect(groups[0]).toBe(9);
    expect(groups.length).toBeGreaterThan(1);
    expect(groups.reduce((a, b) => a + b, 0)).toBe(20);
    expect(await stored(Array.from({ length: 20 }, (_, i) => `stream-${i}`))).toBe(20);
  });

  it('rejects every record of a group whose statement fails, and writes none of them', async () => {
    const unknownTenant = '00000000-0000-4000-8000-000000000000' as TenantId;
    const results = await Promise.allSettled([
      audit.record(tenantId, event('poisoned-1')),
      audit.record(unknownTenant, event('poisoned-2')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await stored(['poisoned-1'])).toBe(0);
    // The next group is not affected.
    await audit.record(tenantId, event('after-poison'));
    expect(await stored(['after-poison'])).toBe(1);
  });
});
