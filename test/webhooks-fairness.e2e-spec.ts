import request from 'supertest';
import { DataSource } from 'typeorm';
import type { TenantId } from '../apps/gateway/src/tenants/tenant-id';
import { WebhookPublisher, type WebhookEventInput } from '../apps/gateway/src/webhooks';
import { startHarness, type Harness } from './support/gateway-harness';
import { sql } from './support/onboarding';
import { bearer, createTenant, type Receiver, startReceiver, until } from './support/webhook-receiver';

/** Receivers that never answer hold a slot for the whole send deadline. */
const HANGING = { retryScheduleSeconds: [1, 1, 1], pollIntervalMs: 100, timeoutMs: 10_000 };

/** Limits that keep one tenant's endpoints from taking the webhook delivery of everyone else. */
describe('webhooks: endpoints per tenant and fair delivery slots', () => {
  let h: Harness;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    h = await startHarness({ config: (c) => ({ ...c, webhooks: HANGING }) });
  });
  afterAll(async () => {
    for (const r of receivers) await r.close();
    await h?.close();
  });

  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };
  const publish = (event: WebhookEventInput) =>
    h.app.get(DataSource).transaction((m) => h.app.get(WebhookPublisher).publish(m, event));
  const revoked = (tenantId: string): WebhookEventInput => ({
    type: 'tenant.revoked',
    tenantId: tenantId as TenantId,
    data: { tenantId, tenant: { id: tenantId, status: 'revoked' } },
  });
  const addEndpoint = (t: { id: string; key: string }, url: string) =>
    request(h.url).post(`/v1/tenants/${t.id}/webhook-endpoints`).set(bearer(t.key)).send({ url });

  it('a tenant may have 10 endpoints; the 11th is 409 TOO_MANY_ENDPOINTS, and one deleted makes room', async () => {
    const t = await createTenant(h.url, h.operatorKey);
    const rx = await receiver();
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await addEndpoint(t, `${rx.url}?n=${i}`).expect(201)).body.id);
    const refused = await addEndpoint(t, `${rx.url}?n=10`).expect(409);
    expect(refused.body.error).toMatchObject({ code: 'TOO_MANY_ENDPOINTS', message: expect.stringContaining('10') });
    // Concurrent creates cannot get past the cap either.
    await request(h.url).delete(`/v1/tenants/${t.id}/webhook-endpoints/${ids[0]}`).set(bearer(t.key)).expect(204);
    const racing = await Promise.all([0, 1, 2, 3].map((i) => addEndpoint(t, `${rx.url}?race=${i}`)));
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    expect(await sql(h, `SELECT 1 FROM webhook_endpoints WHERE tenant_id = $1`, [t.id])).toHaveLength(10);
    // The operator's own endpoints are not a tenant's and are not capped by it.
    for (let i = 0; i < 11; i++) {
      await request(h.url)
        .post('/v1/webhook-endpoints')
        .set(bearer(h.operatorKey))
        .send({ url: `${rx.url}?op=${i}` })
        .expect(201);
    }
    await sql(h, `DELETE FROM webhook_endpoints WHERE tenant_id IS NULL`);
  });

  it("a tenant whose 10 endpoints never answer delays another tenant's delivery by under 2 s", async () => {
    const hog = await createTenant(h.url, h.operatorKey);
    const hanging: Receiver[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await receiver(() => 'hang');
      hanging.push(r);
      await addEndpoint(hog, r.url).expect(201);
    }
    const other = await createTenant(h.url, h.operatorKey);
    const rx = await receiver();
    await addEndpoint(other, rx.url).expect(201);
    // Enough of the hog's deliveries to fill every slot of the instance twice over.
    for (let i = 0; i < 4; i++) await publish(revoked(hog.id));
    await until(() => hanging.reduce((n, r) => n + r.received.length, 0) >= 4);
    const started = Date.now();
    const { eventId } = await publish(revoked(other.id));
    await until(() => rx.byId(eventId).length > 0, 15_000);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
