import { findFreePort } from '@app/database';
import { startWeChatSimulator, type WeChatSimulator } from '@app/wechat-sim';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import request from 'supertest';
import { randomComponent, type Harness } from './support/gateway-harness';
import { onboardTenant } from './support/onboarding';
import { allItems, appliedOpenids, BATCH_BLOCK, bearer, lastSeq, openidsOf, waitForJob } from './support/blacklist-helpers';
import { createTestDatabase } from './support/test-database';
import { BUILT_GATEWAY, spawnGateway, type SpawnedGateway, wechatEnvFor } from './support/production-env';

const FOLLOWERS = 5000;

/**
 * Unknown outcomes with a real kill: two instances on one database, the one running a job is
 * killed -9 with batchblacklist calls on the wire (WeChat still applies them), and the job is
 * cancelled through the other. An openid whose call's outcome was unknown when its worker died
 * must never be reported cancelled (or failed): each one WeChat blocked ends succeeded, also when
 * the surviving instance reads the dead worker's chunks back one at a time.
 */
describe('a job cancelled through another instance after its worker was killed -9 mid-call', () => {
  let sim: WeChatSimulator;
  const gateways: SpawnedGateway[] = [];

  afterAll(async () => {
    for (const g of gateways) {
      if (g.child.exitCode === null) g.child.kill('SIGKILL');
      await g.exited;
    }
    await sim?.close();
  });

  it('every openid WeChat applied is reported succeeded, the rest cancelled; nothing sent twice', async () => {
    if (!existsSync(BUILT_GATEWAY)) throw new Error(`${BUILT_GATEWAY} is missing: run "npm run build" first (npm test does)`);
    const component = randomComponent();
    sim = await startWeChatSimulator({ ...component, port: 0, pushTicketOnStart: false });
    const databaseUrl = await createTestDatabase();
    const operatorKey = `op_kill_${randomBytes(16).toString('hex')}`;
    const shared = {
      DATABASE_URL: databaseUrl,
      OPERATOR_API_KEYS: operatorKey,
      SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ...wechatEnvFor(component, sim.url),
      BLACKLIST_CONCURRENCY_PER_TENANT: '4',
      LOG_LEVEL: 'warn',
    };
    const instance = async (extra: Record<string, string> = {}) => {
      const port = await findFreePort();
      const url = `http://127.0.0.1:${port}`;
      const g = await spawnGateway({ ...shared, PORT: String(port), PUBLIC_BASE_URL: url, ...extra }, url);
      gateways.push(g);
      return { ...g, url };
    };

    const a = await instance();
    sim.setEventUrl(`${a.url}/wechat/component/events`);
    await sim.pushTicket();
    const h = { url: a.url, sim, operatorKey, databaseUrl } as unknown as Harness;
    const t = await onboardTenant(h, { followers: FOLLOWERS });

    // Every batchblacklist answer takes 400 ms, so four calls are always on the wire.
    sim.addFault({ api: BATCH_BLOCK, type: 'delay', delayMs: 400, appId: t.appId });
    const since = lastSeq(sim);
    const created = await request(a.url)
      .post(`/v1/tenants/${t.id}/blacklist/jobs`)
      .set(bearer(operatorKey))
      .send({ action: 'block', openids: t.followers })
      .expect(202);
    const jobId: string = created.body.id;
    await waitForJob(a.url, operatorKey, t.id, jobId, (j) => j.processed >= 200, 30_000);
    // B works a job with one loop, fewer than the chunks A leaves on the wire: the chunks it has
    // not read back yet must stay open while it reads back another.
    const b = await instance({ BLACKLIST_CONCURRENCY_PER_TENANT: '1' });
    // A is still the one working the job (B only just started, and A's slice lasts a minute).
    const before = (await waitForJob(b.url, operatorKey, t.id, jobId, () => true)).job;
    expect(before).toMatchObject({ status: 'running' });
    expect(before.processed).toBeLessThan(FOLLOWERS);

    const killedAt = Date.now();
    a.child.kill('SIGKILL');
    await a.exited;
    await request(b.url).delete(`/v1/tenants/${t.id}/blacklist/jobs/${jobId}`).set(bearer(operatorKey)).expect(202);

    const { job } = await waitForJob(b.url, operatorKey, t.id, jobId, (j) => j.finishedAt !== null, 60_000);
    const calls = sim.calls({ api: BATCH_BLOCK, appId: t.appId, since });
    // The kill landed with calls on the wire, and WeChat applied them after A was gone.
    const onTheWire = calls.filter((c) => c.at < killedAt && killedAt < c.at + c.durationMs);
    expect(onTheWire.length).toBeGreaterThanOrEqual(1);
    expect(onTheWire.map((c) => c.errcode)).toEqual(onTheWire.map(() => 0));

    expect(job).toMatchObject({ status: 'cancelled', total: FOLLOWERS, invalid: 0, failed: 0 });
    expect(job.succeeded + job.cancelled).toBe(FOLLOWERS);
    expect(job.cancelled).toBeGreaterThan(0);

    const items = await allItems(b.url, operatorKey, t.id, jobId);
    expect(items).toHaveLength(FOLLOWERS);
    const applied = new Set(appliedOpenids(sim, BATCH_BLOCK, t.appId, since));
    // Every openid WeChat blocked is reported succeeded: not cancelled, not failed...
    expect(
      items.filter((i) => applied.has(i.openid) && i.outcome !== 'succeeded').map((i) => `${i.openid} ${i.outcome}`),
    ).toEqual([]);
    expect(onTheWire.flatMap(openidsOf).every((o) => items.find((i) => i.openid === o)?.outcome === 'succeeded')).toBe(true);
    // ...and every one reported succeeded is blocked at WeChat.
    const succeeded = items.filter((i) => i.outcome === 'succeeded').map((i) => i.openid);
    expect(succeeded.filter((o) => !applied.has(o))).toEqual([]);
    expect(sim.getAuthorizer(t.appId).blacklist).toEqual([...succeeded].sort());
    expect(job.succeeded).toBe(applied.size);

    // Nothing was sent twice, except what the job counts as re-sent after an unknown outcome.
    const sent = calls.flatMap(openidsOf);
    expect(sent.length - new Set(sent).size).toBeLessThanOrEqual(job.details.resentAfterUnknownOutcome);
  }, 150_000);
});
