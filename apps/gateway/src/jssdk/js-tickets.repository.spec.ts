import type { SecretCipher } from '@app/common';
import type { DataSource } from 'typeorm';
import { repositorySpecDatabase } from '../../../../test/support/repository-database';
import type { TenantId } from '../tenants/tenant-id';
import { JsTicketsRepository } from './js-tickets.repository';

// Repository tier: jssdk_tickets on a real, migrated database (sealed at rest, one row per tenant
// and type, the renewer's candidates).

describe('JsTicketsRepository', () => {
  let ds: DataSource;
  let cipher: SecretCipher;
  let repo: JsTicketsRepository;

  beforeAll(async () => {
    ({ dataSource: ds, cipher } = await repositorySpecDatabase());
    repo = new JsTicketsRepository(ds, cipher);
  });
  afterAll(() => ds.destroy());

  async function newTenant(status = 'active'): Promise<TenantId> {
    const rows: { id: TenantId }[] = await ds.query(
      `INSERT INTO tenants (name, status, api_key_hash) VALUES ('repo spec', $1, md5(random()::text) || md5(random()::text)) RETURNING id`,
      [status],
    );
    return rows[0].id;
  }
  const inMin = (m: number) => new Date(Date.now() + m * 60_000);

  it('stores one sealed ticket per tenant and type; a new one replaces it', async () => {
    const t = await newTenant();
    expect(await repo.read(t, 'jsapi')).toEqual({ ticket: null, expiresAt: null });
    await repo.store(t, 'jsapi', 'TICKET_1', inMin(120));
    await repo.store(t, 'jsapi', 'TICKET_2', inMin(120));
    await repo.store(t, 'wx_card', 'CARD_1', inMin(120));
    expect((await repo.read(t, 'jsapi')).ticket).toBe('TICKET_2');
    expect((await repo.read(t, 'wx_card')).ticket).toBe('CARD_1');
    const rows: { ticket: string }[] = await ds.query(`SELECT ticket FROM jssdk_tickets WHERE tenant_id = $1`, [t]);
    expect(rows).toHaveLength(2);
    for (const r of rows) expect(r.ticket).toMatch(/^v2\./);
  });

  it('a ticket sealed under a key the cipher does not hold reads as none (it is fetched again)', async () => {
    const t = await newTenant();
    await ds.query(
      `INSERT INTO jssdk_tickets (tenant_id, type, ticket, expires_at) VALUES ($1, 'jsapi', 'v1.gone.x', now() + interval '1 hour')`,
      [t],
    );
    expect(await repo.read(t, 'jsapi')).toEqual({ ticket: null, expiresAt: null });
  });

  it('renewal candidates: tickets of active tenants due within the margin, soonest first', async () => {
    const [a, b, revoked] = [await newTenant(), await newTenant(), await newTenant('revoked')];
    await repo.store(a, 'jsapi', 'A', inMin(5));
    await repo.store(b, 'wx_card', 'B', inMin(3));
    await repo.store(b, 'jsapi', 'B2', inMin(100));
    await repo.store(revoked, 'jsapi', 'R', inMin(1));
    const due = (await repo.dueForRenewal(15 * 60, 100)).filter((d) => [a, b, revoked].includes(d.tenantId));
    expect(due).toEqual([
      { tenantId: b, type: 'wx_card' },
      { tenantId: a, type: 'jsapi' },
    ]);
  });
});
