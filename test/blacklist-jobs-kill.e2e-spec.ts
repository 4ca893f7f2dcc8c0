import { findFreePort } from '@app/database';
import { startWeChatSimulator, type WeChatSimulator } from '@app/wechat-sim';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Client } from 'pg';
import request from 'supertest';
import type { GatewayConfig } from '../apps/gateway/src/platform/config/gateway-config';
import { randomComponent, startHarness, type Harness } from './support/gateway-harness';
import { onboardTenant } from './support/onboarding';
import { appliedOpenids, BATCH_BLOCK, bearer, GET_BLACKLIST, lastSeq, sleep, waitForJob } from './support/blacklist-helpers';
import { createTestDatabase } from './support/test-database';
import { BUILT_GATEWAY, spawnGateway, type SpawnedGateway, wechatEnvFor } from './support/production-env';

const MAIN = BUILT_GATEWAY;

async function query<T>(databaseUrl: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

describe('a blacklist job survives the death of the process running it', () => {
  let sim: WeChatSimulator;
  const gateways: SpawnedGateway[] = [];

  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does)`);
  });
  afterAll(async () => {
    for (const g of gateways) {
      if (g.child.exitCode === null) g.child.kill('SIGKILL');
      await g.exited;
    }
    await sim?.close();
  });

  let env: Record<string, string>;
  let url: string;
  let operatorKey: string;
  let databaseUrl: string;
  let h: Harness;

  beforeAll(async () => {
    const component = randomComponent();
    sim = await startWeChatSimulator({ ...component, port: 0, pushTicketOnStart: false });
    databaseUrl = await createTestDatabase();
    const port = await findFreePort();
    url = `http://127.0.0.1:${port}`;
    operatorKey = `op_kill_${randomBytes(16).toString('hex')}`;
    env = {
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      PUBLIC_BASE_URL: url,
      OPERATOR_API_KEYS: operatorKey,
      SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ...wechatEnvFor(component, sim.url),
      BLACKLIST_CONCURRENCY_PER_TENANT: '4',
      LOG_LEVEL: 'warn',
    };
    gateways.push(await spawnGateway(env, url));
    sim.setEventUrl(`${url}/wechat/component/events`);
    await sim.pushTicket();
    // What the onboarding helpers need of a harness: the gateway's URL, its key and the simulator.
    h = { url, sim, operatorKey, databaseUrl } as unknown as Harness;
  }, 60_000);

  const running = () => gateways[gateways.length - 1];

  it('resumes in a new process; chunks WeChat already answered are not sent again; every openid applied exactly once', async () => {
    const first = running();
    const t = await onboardTenant(h, { followers: 600 });

    // Every WeChat answer takes 150 ms, so at any moment some chunks are in flight.
    sim.addFault({ api: BATCH_BLOCK, type: 'delay', delayMs: 150, appId: t.appId });
    const since = lastSeq(sim);
    const created = await request(url)
      .post(`/v1/tenants/${t.id}/blacklist/jobs`)
      .set(bearer(operatorKey))
      .send({ action: 'block', openids: t.followers })
      .expect(202);
    await waitForJob(url, operatorKey, t.id, created.body.id, (j) => j.processed >= 120, 30_000);
    first.child.kill('SIGKILL');
    await first.exited;

    const atKill = await query<{ state: string; n: string }>(
      databaseUrl,
      `SELECT state, count(*) AS n FROM blacklist_job_chunks WHERE job_id = $1 GROUP BY state`,
      [created.body.id],
    );
    const chunks = Object.fromEntries(atKill.map((r) => [r.state, Number(r.n)]));
    // The kill landed mid-job, with calls on the wire whose answers were never recorded.
    expect(chunks.done).toBeGreaterThanOrEqual(6);
    expect(chunks.pending).toBeGreaterThan(0);
    expect(chunks.in_flight).toBeGreaterThanOrEqual(1);
    // Those calls still reach WeChat and are applied there, as they would be in reality.
    await sleep(500);

    gateways.push(await spawnGateway(env, url));
    const { job } = await waitForJob(url, operatorKey, t.id, created.body.id, (j) => j.finishedAt !== null, 90_000);
    expect(job).toMatchObject({ status: 'succeeded', total: 600, processed: 600, succeeded: 600, invalid: 0, failed: 0 });

    // Every openid appears in exactly one successful batchblacklist call: nothing sent twice.
    const applied = appliedOpenids(sim, BATCH_BLOCK, t.appId, since);
    expect(applied).toHaveLength(600);
    expect(new Set(applied)).toEqual(new Set(t.followers));
    expect(sim.getAuthorizer(t.appId).blacklist).toEqual([...t.followers].sort());
    // The chunks left in flight were checked against getblacklist rather than re-sent blindly.
    expect(sim.calls({ api: GET_BLACKLIST, appId: t.appId, since }).length).toBeGreaterThanOrEqual(1);
  }, 150_000);

  it('a graceful shutdown mid-job: chunks in flight finish and are recorded, the job is handed back and another instance finishes it', async () => {
    const db = await createTestDatabase();
    const own = await startWeChatSimulator({ ...randomComponent(), port: 0, pushTicketOnStart: false });
    const first = await startHarness({ databaseUrl: db, simulator: own });
    const same = (c: GatewayConfig): GatewayConfig => ({
      ...c,
      operatorApiKeys: [first.operatorKey],
      secretsKey: first.config.secretsKey,
    });
    let next: Harness | undefined;
    try {
      own.setEventUrl(`${first.url}/wechat/component/events`);
      await own.pushTicket();
      const t = await onboardTenant(first, { followers: 400 });
      own.addFault({ api: BATCH_BLOCK, type: 'delay', delayMs: 100, appId: t.appId });
      const created = await request(first.url)
        .post(`/v1/tenants/${t.id}/blacklist/jobs`)
        .set(bearer(first.operatorKey))
        .send({ action: 'block', openids: t.followers })
        .expect(202);
      await waitForJob(first.url, first.operatorKey, t.id, created.body.id, (j) => j.processed >= 80, 30_000);
      await first.close();

      const chunks = Object.fromEntries(
        (
          await query<{ state: string; n: string }>(
            db,
            `SELECT state, count(*) AS n FROM blacklist_job_chunks WHERE job_id = $1 GROUP BY state`,
            [created.body.id],
          )
        ).map((r) => [r.state, Number(r.n)]),
      );
      expect(chunks.in_flight ?? 0).toBe(0);
      expect(chunks.pending).toBeGreaterThan(0);
      const messages = await query(
        db,
        `SELECT 1 FROM pgboss.job WHERE name = 'blacklist-jobs' AND state IN ('created', 'retry')`,
      );
      expect(messages.length).toBeGreaterThanOrEqual(1);

      next = await startHarness({ databaseUrl: db, simulator: own, config: same });
      const { job } = await waitForJob(next.url, first.operatorKey, t.id, created.body.id, (j) => j.finishedAt !== null, 30_000);
      expect(job).toMatchObject({ status: 'succeeded', succeeded: 400, failed: 0 });
      const applied = appliedOpenids(own, BATCH_BLOCK, t.appId);
      expect(applied).toHaveLength(400);
      expect(new Set(applied)).toEqual(new Set(t.followers));
      // Nothing was left in doubt, so nothing needed reconciling.
      expect(own.calls({ api: GET_BLACKLIST, appId: t.appId })).toHaveLength(0);
    } finally {
      await next?.close();
      await own.close();
    }
  }, 90_000);
});
