import request from 'supertest';
import { DataSource } from 'typeorm';
import type { TenantId } from '../apps/gateway/src/tenants/tenant-id';
import { WebhookPublisher } from '../apps/gateway/src/webhooks';
import { startHarness, type Harness } from './support/gateway-harness';
import { sql } from './support/onboarding';
import { bearer, createTenant, until } from './support/webhook-receiver';

/** Hosts class-validator's isURL accepts and the WHATWG parser (which delivers) refuses. */
const UNPARSABLE = ['http://a.0x7f/', 'http://a.0x/', 'http://[fe80::1%25lo]/', 'http://a.1/hook'];

const FAST = { retryScheduleSeconds: [1, 1, 1], pollIntervalMs: 100, timeoutMs: 1000 };

describe.each([
  ['sandbox', false],
  ['production', true],
])('webhook URLs the delivering parser refuses (%s mode)', (_mode, production) => {
  let h: Harness;
  let tenant: { id: string; key: string };
  let endpointId: string;
  beforeAll(async () => {
    h = await startHarness({
      config: (c) => ({
        ...c,
        ...(production ? { mode: 'production' as const } : {}),
        webhooks: FAST,
      }),
    });
    tenant = await createTenant(h.url, h.operatorKey);
    endpointId = (
      await request(h.url)
        .post(`/v1/tenants/${tenant.id}/webhook-endpoints`)
        .set(bearer(tenant.key))
        .send({ url: 'https://93.184.215.14/hook' }) // a public address: production checks it without DNS
        .expect(201)
    ).body.id;
  });
  afterAll(() => h?.close());

  it.each(UNPARSABLE)('%s: create and PATCH answer 400 VALIDATION_FAILED naming url', async (url) => {
    const created = await request(h.url).post(`/v1/tenants/${tenant.id}/webhook-endpoints`).set(bearer(tenant.key)).send({ url });
    expect(created.status).toBe(400);
    expect(created.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [{ field: 'url' }] } });
    const operator = await request(h.url).post('/v1/webhook-endpoints').set(bearer(h.operatorKey)).send({ url });
    expect(operator.status).toBe(400);
    const patched = await request(h.url)
      .patch(`/v1/tenants/${tenant.id}/webhook-endpoints/${endpointId}`)
      .set(bearer(tenant.key))
      .send({ url });
    expect(patched.status).toBe(400);
    expect(patched.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('a stored URL that can never be sent to fails for good at its first attempt, with the reason recorded', async () => {
    // As a row written before this validation existed.
    await sql(h, `UPDATE webhook_endpoints SET url = 'http://a.0x7f/' WHERE id = $1`, [endpointId]);
    const { eventId } = await h.app.get(DataSource).transaction((m) =>
      h.app.get(WebhookPublisher).publish(m, {
        type: 'tenant.revoked',
        tenantId: tenant.id as TenantId,
        data: { tenantId: tenant.id, tenant: { id: tenant.id, status: 'revoked' } },
      }),
    );
    const delivery = async () =>
      (
        await request(h.url)
          .get(`/v1/tenants/${tenant.id}/webhook-endpoints/${endpointId}/deliveries`)
          .set(bearer(tenant.key))
          .expect(200)
      ).body.items.find((d: { eventId: string }) => d.eventId === eventId);
    const failed = await until(async () => {
      const d = await delivery();
      return d?.status === 'failed' && d;
    }, 5000);
    expect(failed.nextAttemptAt).toBeNull();
    expect(failed.attempts).toEqual([expect.objectContaining({ httpStatus: null, error: expect.stringMatching(/invalid URL/) })]);
  });
});
