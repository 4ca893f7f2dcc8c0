import { findFreePort } from '@app/database';
import { startWeChatSimulator, type WeChatSimulator } from '@app/wechat-sim';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../apps/gateway/src/data-source';
import type { TenantId } from '../apps/gateway/src/tenants/tenant-id';
import { WebhookOutboxRepository } from '../apps/gateway/src/webhooks/webhook-outbox.repository';
import { WebhookPublisher } from '../apps/gateway/src/webhooks/webhook-publisher';
import type { WebhookDeliveryWorker } from '../apps/gateway/src/webhooks/webhook-delivery-worker';
import { Transactions } from '../apps/gateway/src/platform/database/transactions';
import { randomComponent } from './support/gateway-harness';
import { BUILT_GATEWAY, spawnGateway, type SpawnedGateway, wechatEnvFor } from './support/production-env';
import { createTestDatabase } from './support/test-database';
import { bearer, createTenant, type Receiver, startReceiver, until } from './support/webhook-receiver';

/**
 * The built gateway killed with SIGKILL while a delivery is on the wire: the committed event is
 * not lost; a new process takes the lapsed lease over and delivers it with the same webhook-id.
 */
describe('webhook deliveries survive kill -9', () => {
  let sim: WeChatSimulator;
  let rx: Receiver;
  let ds: DataSource;
  const gateways: SpawnedGateway[] = [];
  beforeAll(() => {
    if (!existsSync(BUILT_GATEWAY)) throw new Error(`${BUILT_GATEWAY} is missing: run "npm run build" first (npm test does)`);
  });
  afterAll(async () => {
    for (const g of gateways) {
      if (g.child.exitCode === null) g.child.kill('SIGKILL');
      await g.exited;
    }
    await rx?.close();
    await sim?.close();
    await ds?.destroy();
  });

  it('an event committed before the kill is delivered after the restart', async () => {
    const component = randomComponent();
    sim = await startWeChatSimulator({ ...component, port: 0, pushTicketOnStart: false });
    const databaseUrl = await createTestDatabase();
    const port = await findFreePort();
    const url = `http://127.0.0.1:${port}`;
    const operatorKey = `op_kill_${randomBytes(16).toString('hex')}`;
    const secretsKey = randomBytes(32);
    const env = {
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      PUBLIC_BASE_URL: url,
      OPERATOR_API_KEYS: operatorKey,
      SECRETS_ENCRYPTION_KEY: secretsKey.toString('base64'),
      ...wechatEnvFor(component, sim.url),
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_POLL_INTERVAL_MS: '100',
      // Long enough that the kill lands while the hung attempt is still on the wire, even on a
      // slow machine (at 1 s it once timed out and was recorded before the kill arrived).
      WEBHOOK_TIMEOUT_MS: '5000',
      LOG_LEVEL: 'warn',
    };
    // The first request hangs: the kill lands while the delivery is on the wire, unrecorded.
    rx = await startReceiver((_r, n) => (n === 0 ? 'hang' : 200));
    gateways.push(await spawnGateway(env, url));
    const t = await createTenant(url, operatorKey);
    const ep = await request(url)
      .post(`/v1/tenants/${t.id}/webhook-endpoints`)
      .set(bearer(t.key))
      .send({ url: rx.url })
      .expect(201);

    // Published from outside the process (as another instance would), committed before the kill.
    ds = await new DataSource(dataSourceOptions(databaseUrl, { extra: { max: 2 } })).initialize();
    const publisher = new WebhookPublisher(
      new WebhookOutboxRepository(ds),
      new Transactions(ds),
      // This process runs no worker: the spawned gateway delivers.
      { wake: () => undefined } as unknown as WebhookDeliveryWorker,
    );
    const { eventId } = await ds.transaction((m) =>
      publisher.publish(m, { type: 'tenant.revoked', tenantId: t.id as TenantId, data: { tenantId: t.id, tenant: {} } }),
    );
    await until(() => rx.received.length === 1);
    gateways[0].child.kill('SIGKILL');
    await gateways[0].exited;

    gateways.push(await spawnGateway(env, url));
    // The dead process's lease (send deadline + 5 s) lapses, then the new one delivers.
    await until(() => rx.received.length >= 2, 30_000);
    expect(rx.received.map((r) => r.headers['webhook-id'])).toEqual([eventId, eventId]);
    const item = await until(async () => {
      const res = await request(url)
        .get(`/v1/tenants/${t.id}/webhook-endpoints/${ep.body.id}/deliveries`)
        .set(bearer(t.key))
        .expect(200);
      return res.body.items[0]?.status === 'delivered' && res.body.items[0];
    });
    // The killed attempt was never recorded; the one that succeeded was.
    expect(item.attempts).toHaveLength(1);
    expect(item.attempts[0].httpStatus).toBe(200);
  }, 90_000);
});
