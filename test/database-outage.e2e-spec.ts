import { findFreePort, startEmbeddedPostgres, type RunningPostgres } from '@app/database';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { BATCH_BLOCK, sleep } from './support/blacklist-helpers';
import { bearer, eventually, onboardTenant } from './support/onboarding';

/** A PostgreSQL of this suite's own, so it can be stopped and started again under a running gateway. */
describe('PostgreSQL unreachable: clear answers, nothing lost, recovery without a restart', () => {
  let dir: string;
  let port: number;
  let pg: RunningPostgres;
  let h: Harness;
  const startPg = async () => (pg = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port, database: 'wtg_outage_test' }));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wtg-outage-'));
    port = await findFreePort();
    await startPg();
    h = await startHarness({ databaseUrl: pg.url });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const ready = async () => (await fetch(`${h.url}/health/ready`)).status;

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After while it is down (pushes not "success"), and serves again once it is back', async () => {
    const t = await onboardTenant(h, { followers: 2 });
    await pg.stop();
    const res = await request(h.url).get(`/v1/tenants/${t.id}/blacklist`).set(bearer(h.operatorKey));
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.body.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', details: { retryAfterSeconds: expect.any(Number) } });
    const push = await request(h.url)
      .post('/wechat/component/events?timestamp=1&nonce=1&signature=x&msg_signature=x&encrypt_type=aes')
      .set('Content-Type', 'text/xml')
      .send('<xml><ToUserName>x</ToUserName><Encrypt>x</Encrypt></xml>');
    expect(push.text).not.toBe('success');

    await startPg();
    await eventually(async () => expect(await ready()).toBe(200), 20_000);
    await request(h.url).get(`/v1/tenants/${t.id}/blacklist`).set(bearer(h.operatorKey)).expect(200);
  }, 60_000);

  it('a blip while WeChat applies a block with an Idempotency-Key: the result is answered, and a retry with the key replays it', async () => {
    const t = await onboardTenant(h, { followers: 3 });
    h.sim.addFault({ api: BATCH_BLOCK, type: 'delay', delayMs: 600, count: 1, appId: t.appId });
    const block = () =>
      request(h.url)
        .post(`/v1/tenants/${t.id}/blacklist/block`)
        .set(bearer(h.operatorKey))
        .set('Idempotency-Key', 'blip-1')
        .send({ openids: t.followers });
    const first = block().then((r) => r);
    await sleep(200);
    await pg.stop();
    await sleep(1_000);
    await startPg();
    const res = await first;
    expect(res.status).toBe(200);
    expect(res.body.succeeded).toHaveLength(3);
    const again = await block();
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    expect(h.sim.calls({ api: BATCH_BLOCK, appId: t.appId }).filter((c) => c.errcode === 0)).toHaveLength(1);
  }, 60_000);
});
