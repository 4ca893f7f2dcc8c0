import request from 'supertest';
import { DataSource } from 'typeorm';
import type { GatewayConfig } from '../apps/gateway/src/platform/config/gateway-config';
import type { TenantId } from '../apps/gateway/src/tenants/tenant-id';
import { WebhookPublisher, type WebhookEventInput } from '../apps/gateway/src/webhooks';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, createTenant, type Receiver, sleep, startReceiver, until, verify } from './support/webhook-receiver';

const FAST = { retryScheduleSeconds: [1, 1, 1], pollIntervalMs: 100, timeoutMs: 1000 };

/** Deliveries over real HTTP to real receivers, events published through the app's own WebhookPublisher. */
describe('webhook delivery', () => {
  let h: Harness;
  const receivers: Receiver[] = [];
  const harnesses: Harness[] = [];
  beforeAll(async () => {
    h = await startHarness({ config: (c) => ({ ...c, webhooks: FAST }) });
  });
  afterAll(async () => {
    for (const x of [...harnesses, h]) await x?.close();
    for (const r of receivers) await r.close();
  });

  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };
  const publishOn = (x: Harness, event: WebhookEventInput) =>
    x.app.get(DataSource).transaction((m) => x.app.get(WebhookPublisher).publish(m, event));
  const publish = (event: WebhookEventInput) => publishOn(h, event);
  const revoked = (tenantId: string): WebhookEventInput => ({
    type: 'tenant.revoked',
    tenantId: tenantId as TenantId,
    data: { tenantId, tenant: { id: tenantId, status: 'revoked' } },
  });
  /** A tenant with one endpoint at `url`; returns its id, key, endpoint id and secret. */
  const tenantWithEndpoint = async (url: string, types?: string[]) => {
    const t = await createTenant(h.url, h.operatorKey);
    const ep = await request(h.url)
      .post(`/v1/tenants/${t.id}/webhook-endpoints`)
      .set(bearer(t.key))
      .send({ url, ...(types ? { types } : {}) })
      .expect(201);
    return { ...t, endpointId: ep.body.id as string, secret: ep.body.secret as string };
  };
  const deliveries = async (t: { id: string; key: string; endpointId: string }) =>
    (await request(h.url).get(`/v1/tenants/${t.id}/webhook-endpoints/${t.endpointId}/deliveries`).set(bearer(t.key)).expect(200))
      .body;

  it('delivers signed Standard Webhooks to operator and tenant endpoints; the standardwebhooks package verifies them', async () => {
    const opRx = await receiver();
    const op = (await request(h.url).post('/v1/webhook-endpoints').set(bearer(h.operatorKey)).send({ url: opRx.url }).expect(201))
      .body;
    const rx = await receiver();
    const t = await tenantWithEndpoint(rx.url);
    const occurredAt = new Date('2026-11-29T10:00:00.000Z');
    const { eventId } = await publish({ ...revoked(t.id), occurredAt } as WebhookEventInput);
    const stale = await publish({ type: 'component.ticket_stale', tenantId: null, data: { ticketAgeSeconds: 900 } });

    const [got] = await until(() => rx.byId(eventId).length > 0 && rx.byId(eventId));
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(got.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verify(t.secret, got)).toEqual({
      type: 'tenant.revoked',
      timestamp: '2026-11-29T10:00:00.000Z',
      data: { tenantId: t.id, tenant: { id: t.id, status: 'revoked' } },
    });
    expect(() => verify(op.secret, got)).toThrow();
    await until(() => opRx.byId(eventId).length > 0 && opRx.byId(stale.eventId).length > 0);
    expect(verify(op.secret, opRx.byId(stale.eventId)[0])).toMatchObject({
      type: 'component.ticket_stale',
      data: { ticketAgeSeconds: 900 },
    });
    // The tenant endpoint never sees component events.
    expect(rx.byId(stale.eventId)).toHaveLength(0);
    const page = await deliveries(t);
    await until(async () => (await deliveries(t)).items[0]?.status === 'delivered');
    expect(page.items[0]).toMatchObject({ eventId, type: 'tenant.revoked' });
    await request(h.url).delete(`/v1/webhook-endpoints/${op.id}`).set(bearer(h.operatorKey)).expect(204);

    const metrics = (await request(h.url).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/webhook_deliveries_total\{type="tenant.revoked",outcome="delivered"\} \d+/);
    expect(metrics).toMatch(/webhook_deliveries_pending \d+/);
  });

  it('a rolled-back transaction delivers nothing', async () => {
    const rx = await receiver();
    const t = await tenantWithEndpoint(rx.url);
    await expect(
      h.app.get(DataSource).transaction(async (m) => {
        await h.app.get(WebhookPublisher).publish(m, revoked(t.id));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await sleep(400);
    expect(rx.received).toHaveLength(0);
    expect((await deliveries(t)).items).toEqual([]);
  });

  it('retries on the schedule: 3 failures then success is one delivered event with 4 attempts, same webhook-id', async () => {
    const rx = await receiver((_r, n) => (n < 3 ? 500 : 204));
    const t = await tenantWithEndpoint(rx.url);
    const { eventId } = await publish(revoked(t.id));
    const item = await until(async () => {
      const it = (await deliveries(t)).items[0];
      return it?.status === 'delivered' && it;
    });
    expect(item.attempts).toHaveLength(4);
    expect(item.attempts.map((a: { httpStatus: number }) => a.httpStatus)).toEqual([500, 500, 500, 204]);
    expect(item.nextAttemptAt).toBeNull();
    expect(rx.received.map((r) => r.headers['webhook-id'])).toEqual([eventId, eventId, eventId, eventId]);
    // About a second apart, per the 1,1,1 schedule.
    expect(rx.received[3].at - rx.received[0].at).toBeGreaterThanOrEqual(2900);
  });

  it('gives up after the schedule; redeliver sends the same event again as a new attempt', async () => {
    const rx = await receiver(() => 503);
    const t = await tenantWithEndpoint(rx.url);
    const { eventId } = await publish(revoked(t.id));
    await until(async () => (await deliveries(t)).items[0]?.status === 'failed', 8000);
    expect(rx.received).toHaveLength(4);
    const failed = await request(h.url)
      .get(`/v1/tenants/${t.id}/webhook-endpoints/${t.endpointId}/deliveries?status=failed`)
      .set(bearer(t.key))
      .expect(200);
    expect(failed.body.items.map((i: { eventId: string }) => i.eventId)).toEqual([eventId]);

    rx.respond = () => 200;
    const base = `/v1/tenants/${t.id}/webhook-endpoints/${t.endpointId}/deliveries`;
    await request(h.url).post(`${base}/${eventId}/redeliver`).set(bearer(t.key)).expect(202);
    await until(() => rx.received.length === 5);
    expect(rx.received[4].headers['webhook-id']).toBe(eventId);
    expect(verify(t.secret, rx.received[4])).toMatchObject({ type: 'tenant.revoked' });
    const item = await until(async () => {
      const it = (await deliveries(t)).items[0];
      return it?.status === 'delivered' && it;
    });
    expect(item.attempts).toHaveLength(5);
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      const res = await request(h.url).post(`${base}/${id}/redeliver`).set(bearer(t.key)).expect(404);
      expect(res.body.error.code).toBe('WEBHOOK_EVENT_NOT_FOUND');
    }
  });

  it('after a rotation, deliveries carry two signatures, each verifying with its own secret', async () => {
    const rx = await receiver();
    const t = await tenantWithEndpoint(rx.url);
    const rotated = await request(h.url)
      .post(`/v1/tenants/${t.id}/webhook-endpoints/${t.endpointId}/secret`)
      .set(bearer(t.key))
      .expect(201);
    const { eventId } = await publish(revoked(t.id));
    const [got] = await until(() => rx.byId(eventId).length > 0 && rx.byId(eventId));
    const signatures = got.headers['webhook-signature'].split(' ');
    expect(signatures).toHaveLength(2);
    const only = (sig: string) => ({ ...got, headers: { ...got.headers, 'webhook-signature': sig } });
    expect(verify(rotated.body.secret, only(signatures[0]))).toMatchObject({ type: 'tenant.revoked' });
    expect(verify(t.secret, only(signatures[1]))).toMatchObject({ type: 'tenant.revoked' });
    expect(() => verify(rotated.body.secret, only(signatures[1]))).toThrow();
  });

  it('respects type filters', async () => {
    const rx = await receiver();
    const t = await tenantWithEndpoint(rx.url, ['blacklist.job.finished']);
    const skipped = await publish(revoked(t.id));
    const wanted = await publish({
      type: 'blacklist.job.finished',
      tenantId: t.id as TenantId,
      data: { tenantId: t.id, job: { id: 'j1', status: 'succeeded' } },
    });
    expect(skipped.deliveries).toBe(0);
    await until(() => rx.byId(wanted.eventId).length > 0);
    await sleep(200);
    expect(rx.received.map((r) => r.headers['webhook-id'])).toEqual([wanted.eventId]);
  });

  it('a dead or hanging endpoint does not delay another endpoint', async () => {
    const hanging = await receiver(() => 'hang');
    const refused = await receiver();
    const refusedUrl = refused.url;
    await refused.close();
    const slow = await tenantWithEndpoint(hanging.url);
    const dead = await tenantWithEndpoint(refusedUrl);
    const rx = await receiver();
    const live = await tenantWithEndpoint(rx.url);
    for (let i = 0; i < 10; i++) {
      await publish(revoked(slow.id));
      await publish(revoked(dead.id));
    }
    await until(() => hanging.received.length >= 2);
    const started = Date.now();
    const { eventId } = await publish(revoked(live.id));
    await until(() => rx.byId(eventId).length > 0, 5000);
    // Well under the 1 s send deadline the hanging receiver holds its slots for.
    expect(Date.now() - started).toBeLessThan(700);
    // The hanging endpoint holds at most its 2 slots.
    expect(hanging.received.length).toBeLessThanOrEqual(2);
  });

  it('two instances on one database deliver each event exactly once', async () => {
    const same = (c: GatewayConfig): GatewayConfig => ({
      ...c,
      operatorApiKeys: [h.operatorKey],
      secretsKey: h.config.secretsKey,
      webhooks: FAST,
    });
    const second = await startHarness({ databaseUrl: h.databaseUrl, config: same });
    harnesses.push(second);
    const rx = await receiver();
    const t = await tenantWithEndpoint(rx.url);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await publishOn(i % 2 ? second : h, revoked(t.id))).eventId);
    await until(() => ids.every((id) => rx.byId(id).length > 0));
    await sleep(500);
    expect(rx.received).toHaveLength(30);
    for (const r of rx.received) expect(verify(t.secret, r)).toMatchObject({ type: 'tenant.revoked' });
  });
});

describe('webhook delivery in production mode', () => {
  it('checks the address again at connect time: a registered URL that now reaches a private address is refused, unsent', async () => {
    // The sandbox instance registers what production would refuse (as if DNS changed since);
    // it polls rarely, so the production instance, which publishes, is the one that delivers.
    const sandbox = await startHarness({ config: (c) => ({ ...c, webhooks: { ...FAST, pollIntervalMs: 60_000 } }) });
    const prod = await startHarness({
      databaseUrl: sandbox.databaseUrl,
      config: (c) => ({
        ...c,
        mode: 'production',
        operatorApiKeys: [sandbox.operatorKey],
        secretsKey: sandbox.config.secretsKey,
        webhooks: FAST,
      }),
    });
    const rx = await startReceiver();
    try {
      const t = await createTenant(sandbox.url, sandbox.operatorKey);
      const port = new URL(rx.url).port;
      const ids: string[] = [];
      for (const url of [`http://localhost:${port}/hook`, rx.url]) {
        const ep = await request(sandbox.url)
          .post(`/v1/tenants/${t.id}/webhook-endpoints`)
          .set(bearer(t.key))
          .send({ url })
          .expect(201);
        ids.push(ep.body.id);
      }
      await prod.app
        .get(DataSource)
        .transaction((m) =>
          prod.app
            .get(WebhookPublisher)
            .publish(m, { type: 'tenant.revoked', tenantId: t.id as TenantId, data: { tenantId: t.id, tenant: {} } }),
        );
      for (const id of ids) {
        const item = await until(async () => {
          const res = await request(prod.url)
            .get(`/v1/tenants/${t.id}/webhook-endpoints/${id}/deliveries`)
            .set(bearer(t.key))
            .expect(200);
          return res.body.items[0]?.attempts.length > 0 && res.body.items[0];
        });
        expect(item.attempts[0]).toMatchObject({ httpStatus: null, error: 'address not allowed' });
      }
      expect(rx.received).toHaveLength(0);
    } finally {
      await prod.close();
      await sandbox.close();
      await rx.close();
    }
  });
});
