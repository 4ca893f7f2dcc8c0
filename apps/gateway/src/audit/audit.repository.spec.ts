import type { DataSource } from 'typeorm';
import { repositorySpecDatabase } from '../../../../test/support/repository-database';
import { acrossTenantsQuery, AuditRepository } from './audit.repository';

// Repository tier: the operator's listing across tenants on a real, migrated database holding a
// long trail. A rare action or a recent `since` must be found through an index, not by reading the
// trail newest first until a page is full (the whole trail when few rows match).

const TRAIL = 200_000;
/** Far below the trail's thousands of pages; an indexed read of a few rows touches a handful. */
const PAGES_BOUND = 100;

interface PlanNode {
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
}

describe('AuditRepository, listing across tenants over a long trail', () => {
  let ds: DataSource;
  let repo: AuditRepository;
  let newest: Date;

  beforeAll(async () => {
    ({ dataSource: ds } = await repositorySpecDatabase());
    repo = new AuditRepository(ds);
    // One call every 10 s over the last 23 days, in insertion order; every 40,000th a tenant deletion.
    await ds.query(
      `INSERT INTO audit_events (actor, actor_name, action, total, succeeded, invalid, failed, at)
       SELECT 'system', 'system:spec', CASE WHEN g % 40000 = 0 THEN 'tenant.deleted' ELSE 'blacklist.block' END, 1, 1, 0, 0,
              now() - make_interval(secs => ($1 - g) * 10)
         FROM generate_series(1, $1) g`,
      [TRAIL],
    );
    await ds.query(`ANALYZE audit_events`);
    [{ newest }] = await ds.query(`SELECT max(at) AS newest FROM audit_events`);
  }, 60_000);
  afterAll(() => ds.destroy());

  /** Pages the statement touched, by the executor's own count. */
  async function pagesRead(...args: Parameters<typeof acrossTenantsQuery>): Promise<number> {
    const { text, params } = acrossTenantsQuery(...args);
    const [{ 'QUERY PLAN': plan }] = await ds.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`, params);
    const top = (plan as { Plan: PlanNode }[])[0].Plan;
    return top['Shared Hit Blocks'] + top['Shared Read Blocks'];
  }

  it('the trail is long: an unfiltered read of all of it touches far more pages than the bound', async () => {
    // Guards the bounds below against passing on a trail too short to matter.
    expect(await pagesRead({}, undefined, TRAIL)).toBeGreaterThan(PAGES_BOUND * 10);
  });

  it('a rare action: the right rows, newest first, from a handful of pages', async () => {
    const rows = await repo.listAcrossTenants({ action: 'tenant.deleted' }, undefined, 50);
    expect(rows.map((r) => r.action)).toEqual(Array.from({ length: TRAIL / 40000 }, () => 'tenant.deleted'));
    expect(rows.map((r) => Number(r.seq))).toEqual([...rows.map((r) => Number(r.seq))].sort((a, b) => b - a));
    expect(await pagesRead({ action: 'tenant.deleted' }, undefined, 50)).toBeLessThan(PAGES_BOUND);
  });

  it('a recent since: only the rows at or after it, from a handful of pages', async () => {
    const since = new Date(newest.getTime() - 45_000);
    const rows = await repo.listAcrossTenants({ since }, undefined, 50);
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(rows.length).toBeLessThanOrEqual(6);
    expect(rows.every((r) => r.at.getTime() >= since.getTime())).toBe(true);
    expect(await pagesRead({ since }, undefined, 50)).toBeLessThan(PAGES_BOUND);
  });

  it('an action with a since still narrows by both', async () => {
    const since = new Date(newest.getTime() - 24 * 3600_000);
    const rows = await repo.listAcrossTenants({ action: 'tenant.deleted', since }, undefined, 50);
    expect(rows).toHaveLength(1);
    expect(rows.every((r) => r.action === 'tenant.deleted' && r.at.getTime() >= since.getTime())).toBe(true);
    expect(await pagesRead({ action: 'tenant.deleted', since }, undefined, 50)).toBeLessThan(PAGES_BOUND);
  });
});
