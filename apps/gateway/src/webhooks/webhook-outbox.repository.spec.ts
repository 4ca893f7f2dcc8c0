import { SecretCipher } from '@app/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { repositorySpecDatabase } from '../../../../test/support/repository-database';
import { sql } from '../platform/database/sql';
import type { TenantId } from '../tenants/tenant-id';
import { afterAttempt } from './retry-schedule';
import { WebhookEndpointsRepository, type EndpointOwner } from './webhook-endpoints.repository';
import type { WebhookEventInput } from './webhook-event-types';
import { type AttemptOutcome, type ClaimedDelivery, deliveryKey, WebhookOutboxRepository } from './webhook-outbox.repository';
import { WebhookPublisher } from './webhook-publisher';
import { Transactions } from '../platform/database/transactions';
import type { WebhookDeliveryWorker } from './webhook-delivery-worker';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The outbox's SQL on a real cloned database: fan-out, SKIP LOCKED claims, leases, the retry schedule. */
describe('webhook repositories (real PostgreSQL)', () => {
  let ds: DataSource;
  let endpoints: WebhookEndpointsRepository;
  let outbox: WebhookOutboxRepository;
  let publisher: WebhookPublisher;

  beforeAll(async () => {
    ({ dataSource: ds } = await repositorySpecDatabase());
    endpoints = new WebhookEndpointsRepository(ds, new SecretCipher(randomBytes(32)));
    outbox = new WebhookOutboxRepository(ds);
    // No worker here: the spec claims deliveries itself.
    publisher = new WebhookPublisher(outbox, new Transactions(ds), {
      wake: () => undefined,
    } as unknown as WebhookDeliveryWorker);
  });
  afterAll(() => ds?.destroy());

  // Other features' tables are seeded with SQL here (the e2e tests go through the routes).
  const tenant = async (): Promise<TenantId> => {
    const id = randomUUID();
    await ds.query(`INSERT INTO tenants (id, name, status, api_key_hash) VALUES ($1, 'T', 'active', $2)`, [
      id,
      createHash('sha256').update(id).digest('hex'),
    ]);
    return id as TenantId;
  };
  const endpoint = (owner: EndpointOwner, types: string[] = []) =>
    endpoints
      .create(owner, { url: 'https://example.com/hook', types, description: null, secret: 'whsec_x' }, 100)
      .then((e) => e!);
  const publish = (event: WebhookEventInput) => ds.transaction((m) => publisher.publish(m, event));
  const revoked = (tenantId: TenantId): WebhookEventInput => ({
    type: 'tenant.revoked',
    tenantId,
    data: { tenantId, tenant: {} },
  });
  const targetsOf = async (eventId: string) =>
    (await sql<{ endpoint_id: string }>(ds, `SELECT endpoint_id FROM webhook_deliveries WHERE event_id = $1`, [eventId])).rows
      .map((r) => r.endpoint_id)
      .sort();
  const recordAttempt = async (d: ClaimedDelivery, outcome: AttemptOutcome) =>
    (await outbox.recordAttempts([{ delivery: d, outcome }])).has(deliveryKey(d));
  /** Leaves only the given deliveries due, so claims in one test do not see another's. */
  const onlyDue = async (eventIds: string[]) =>
    ds.query(
      `UPDATE webhook_deliveries SET next_attempt_at = CASE WHEN event_id = ANY ($1::uuid[]) THEN date_trunc('milliseconds', now()) ELSE now() + interval '1 day' END`,
      [eventIds],
    );

  it('fans an event out to operator endpoints and the tenant’s own, by type; never to other tenants, disabled or deleted ones', async () => {
    const [a, b, gone] = [await tenant(), await tenant(), await tenant()];
    const opAll = await endpoint(null);
    const opJobs = await endpoint(null, ['blacklist.job.finished']);
    const opRevoked = await endpoint(null, ['tenant.revoked', 'tenant.activated']);
    const aAll = await endpoint(a);
    const aRevoked = await endpoint(a, ['tenant.revoked']);
    await endpoint(a, ['tenant.activated']);
    const aDisabled = await endpoint(a);
    await endpoints.update(a, aDisabled.id, { enabled: false });
    await endpoint(b);
    await endpoint(gone);
    await ds.query(`UPDATE tenants SET deleted_at = now() WHERE id = $1`, [gone]);

    const forA = await publish(revoked(a));
    expect(await targetsOf(forA.eventId)).toEqual([opAll.id, opRevoked.id, aAll.id, aRevoked.id].sort());

    const stale = await publish({ type: 'component.ticket_stale', tenantId: null, data: { ticketAgeSeconds: 700 } });
    expect(await targetsOf(stale.eventId)).toEqual([opAll.id]);

    const forGone = await publish(revoked(gone));
    expect(await targetsOf(forGone.eventId)).toEqual([opAll.id, opRevoked.id].sort());
    expect(opJobs.id).toBeDefined();
  });

  it('a rolled-back transaction leaves no event and no delivery', async () => {
    const a = await tenant();
    await endpoint(a);
    let eventId = '';
    await expect(
      ds.transaction(async (m) => {
        eventId = (await publisher.publish(m, revoked(a))).eventId;
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect((await sql(ds, `SELECT 1 FROM webhook_events WHERE id = $1`, [eventId])).rows).toHaveLength(0);
    await expect(publisher.publish(ds.manager, revoked(a))).rejects.toThrow(/open transaction/);
  });

  it('two claimers at once never get the same delivery, and together get all of them', async () => {
    const a = await tenant();
    await Promise.all(Array.from({ length: 10 }, () => endpoint(a)));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await publish(revoked(a))).eventId);
    await onlyDue(ids);
    const expected = (
      await sql<{ n: number }>(ds, `SELECT count(*)::int AS n FROM webhook_deliveries WHERE event_id = ANY ($1::uuid[])`, [ids])
    ).rows[0].n;
    const claim = () =>
      outbox.claimDue({ limit: 4, perEndpoint: 5, busyEndpoints: [], perOwner: 100, ownerRoom: new Map(), leaseMs: 30_000 });
    const got: string[] = [];
    const claimer = async () => {
      for (let c = await claim(); c.length > 0; c = await claim()) got.push(...c.map((d) => `${d.endpointId}/${d.eventId}`));
    };
    await Promise.all([claimer(), claimer()]);
    expect(got.length).toBeGreaterThanOrEqual(30);
    expect(new Set(got).size).toBe(got.length);
    expect(got).toHaveLength(expected);
    // Leased: nobody gets them again while the lease runs.
    expect(await claim()).toEqual([]);
  });

  it('caps claims per endpoint, counting deliveries already leased', async () => {
    const a = await tenant();
    await endpoint(a);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await publish(revoked(a))).eventId);
    await onlyDue(ids);
    const claim = (busy: string[] = []) =>
      outbox.claimDue({ limit: 10, perEndpoint: 2, busyEndpoints: busy, perOwner: 100, ownerRoom: new Map(), leaseMs: 30_000 });
    const first = await claim();
    expect(first).toHaveLength(2);
    expect(await claim()).toEqual([]);
    await recordAttempt(first[0], { attempt: attempt(), status: 'delivered', nextAttemptAt: null });
    const next = await claim();
    expect(next).toHaveLength(1);
    expect(await claim([next[0].endpointId])).toEqual([]);
  });

  it("caps claims per owner: a tenant with no room left is skipped, another tenant's delivery is claimed", async () => {
    const a = await tenant();
    const b = await tenant();
    for (let i = 0; i < 4; i++) await endpoint(a);
    await endpoint(b);
    const ids = [(await publish(revoked(a))).eventId, (await publish(revoked(a))).eventId, (await publish(revoked(b))).eventId];
    await onlyDue(ids);
    const claim = (ownerRoom: Map<string, number>) =>
      outbox.claimDue({ limit: 10, perEndpoint: 2, busyEndpoints: [], perOwner: 3, ownerRoom, leaseMs: 30_000 });
    const first = await claim(new Map());
    expect(first.filter((d) => d.tenantId === a)).toHaveLength(3);
    expect(first.filter((d) => d.tenantId === b)).toHaveLength(1);
    const next = await claim(new Map([[a, 0]]));
    expect(next).toEqual([]);
    expect(await claim(new Map([[a, 2]]))).toHaveLength(2);
  });

  it('a lapsed lease is taken over; the old holder can no longer record', async () => {
    const a = await tenant();
    await endpoint(a);
    const { eventId } = await publish(revoked(a));
    await onlyDue([eventId]);
    const claim = () =>
      outbox.claimDue({ limit: 5, perEndpoint: 2, busyEndpoints: [], perOwner: 100, ownerRoom: new Map(), leaseMs: 200 });
    const [held] = await claim();
    expect(held.eventId).toBe(eventId);
    expect(await claim()).toEqual([]);
    await sleep(300);
    const [retaken] = await claim();
    expect(retaken).toMatchObject({ eventId, endpointId: held.endpointId });
    expect(retaken.lockToken).not.toBe(held.lockToken);
    expect(await recordAttempt(held, { attempt: attempt(), status: 'delivered', nextAttemptAt: null })).toBe(false);
    expect(await recordAttempt(retaken, { attempt: attempt(), status: 'delivered', nextAttemptAt: null })).toBe(true);
  });

  it('records several attempts in one statement, each with its own outcome, and none whose lease is no longer held', async () => {
    const a = await tenant();
    const ep = await endpoint(a);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await publish(revoked(a))).eventId);
    await onlyDue(ids);
    const claimed = await outbox.claimDue({
      limit: 50,
      perEndpoint: 10,
      busyEndpoints: [],
      perOwner: 100,
      ownerRoom: new Map(),
      leaseMs: 30_000,
    });
    // Operators' endpoints (other specs') receive the events too: only this tenant's endpoint counts here.
    const held = claimed.filter((d) => d.endpointId === ep.id);
    expect(held).toHaveLength(3);
    const [delivered, retried, lost] = held;
    const later = new Date(Date.now() + 60_000);
    const recorded = await outbox.recordAttempts([
      { delivery: delivered, outcome: { attempt: attempt(), status: 'delivered', nextAttemptAt: null } },
      { delivery: retried, outcome: { attempt: attempt(), status: 'pending', nextAttemptAt: later } },
      // Another instance holds this one now: its lock token is not ours.
      {
        delivery: { ...lost, lockToken: '00000000-0000-4000-8000-000000000000' },
        outcome: { attempt: attempt(), status: 'delivered', nextAttemptAt: null },
      },
    ]);
    expect([...recorded].sort()).toEqual([deliveryKey(delivered), deliveryKey(retried)].sort());
    const byEvent = new Map((await outbox.listDeliveries(a, ep.id, { limit: 10 })).map((d) => [d.eventId, d]));
    expect(byEvent.get(delivered.eventId)).toMatchObject({ status: 'delivered', nextAttemptAt: null });
    expect(byEvent.get(delivered.eventId)!.attempts).toHaveLength(1);
    expect(byEvent.get(retried.eventId)).toMatchObject({ status: 'pending' });
    expect(new Date(byEvent.get(retried.eventId)!.nextAttemptAt!).getTime()).toBe(later.getTime());
    expect(byEvent.get(lost.eventId)).toMatchObject({ status: 'pending' });
    expect(byEvent.get(lost.eventId)!.attempts).toHaveLength(0);
  });

  it('follows the retry schedule attempt by attempt, then fails; redeliver starts a new round', async () => {
    const a = await tenant();
    const ep = await endpoint(a);
    const { eventId } = await publish(revoked(a));
    await onlyDue([eventId]);
    const schedule = [1, 1];
    const claim = async () =>
      (
        await outbox.claimDue({
          limit: 5,
          perEndpoint: 2,
          busyEndpoints: [],
          perOwner: 100,
          ownerRoom: new Map(),
          leaseMs: 30_000,
        })
      )[0];
    const statuses: string[] = [];
    for (let n = 0; n < 3; n++) {
      const d = await claim();
      expect(d.roundAttempts).toBe(n);
      const next = afterAttempt(false, d.roundAttempts, schedule);
      await recordAttempt(d, { attempt: attempt(), ...next });
      statuses.push(next.status);
      // Not due before its time.
      if (next.status === 'pending') {
        expect(await claim()).toBeUndefined();
        await onlyDue([eventId]);
      }
    }
    expect(statuses).toEqual(['pending', 'pending', 'failed']);
    expect(await claim()).toBeUndefined();
    const [failed] = await outbox.listDeliveries(a, ep.id, { limit: 10 });
    expect(failed).toMatchObject({ eventId, status: 'failed', nextAttemptAt: null });
    expect(failed.attempts).toHaveLength(3);

    // Another tenant's scope cannot redeliver it.
    expect(await outbox.redeliver(await tenant(), ep.id, eventId)).toBe(false);
    expect(await outbox.redeliver(a, ep.id, eventId)).toBe(true);
    const again = await claim();
    expect(again).toMatchObject({ eventId, roundAttempts: 0 });
  });
});

function attempt() {
  return { at: new Date().toISOString(), httpStatus: 500, durationMs: 3, error: 'HTTP 500' };
}

describe('webhook outbox, with no endpoint at all (real PostgreSQL)', () => {
  let ds: DataSource;
  beforeAll(async () => ({ dataSource: ds } = await repositorySpecDatabase()));
  afterAll(() => ds?.destroy());

  it('keeps nothing of an event no endpoint receives: no event row, no delivery', async () => {
    const publisher = new WebhookPublisher(new WebhookOutboxRepository(ds), new Transactions(ds), {
      wake: () => undefined,
    } as unknown as WebhookDeliveryWorker);
    const tenantId = randomUUID() as TenantId;
    await ds.query(`INSERT INTO tenants (id, name, status, api_key_hash) VALUES ($1, 'T', 'active', $2)`, [
      tenantId,
      createHash('sha256').update(tenantId).digest('hex'),
    ]);
    const { eventId, deliveries } = await ds.transaction((m) =>
      publisher.publish(m, { type: 'tenant.revoked', tenantId, data: { tenantId, tenant: {} } }),
    );
    expect(deliveries).toBe(0);
    const rows = await sql<{ n: number }>(
      ds,
      `SELECT (SELECT count(*) FROM webhook_events WHERE id = $1)::int + (SELECT count(*) FROM webhook_deliveries)::int AS n`,
      [eventId],
    );
    expect(rows.rows[0].n).toBe(0);
  });
});
