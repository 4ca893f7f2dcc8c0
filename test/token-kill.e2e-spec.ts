import { findFreePort } from '@app/database';
import { startWeChatSimulator, type WeChatSimulator } from '@app/wechat-sim';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import request from 'supertest';
import { randomComponent, type Harness } from './support/gateway-harness';
import { bearer, eventually, onboardTenant, sql, type OnboardedTenant } from './support/onboarding';
import { sleep } from './support/blacklist-helpers';
import { createTestDatabase } from './support/test-database';
import { BUILT_GATEWAY, spawnGateway, type SpawnedGateway, wechatEnvFor } from './support/production-env';

const TRIALS = 20;
const TENANTS = 3;

/**
 * The review's acceptance test for refresh tokens: a WeChat that issues a new refresh token on
 * every refresh (retiring the old one), and a gateway killed -9 while refreshes are on the wire
 * or have just been answered. No tenant may end reauthorization_required.
 */
describe('kill -9 during token refreshes loses no tenant', () => {
  let sim: WeChatSimulator;
  let gateway: SpawnedGateway | undefined;
  let env: Record<string, string>;
  let url: string;
  let h: Harness;
  let tenants: OnboardedTenant[];

  beforeAll(async () => {
    if (!existsSync(BUILT_GATEWAY)) throw new Error(`${BUILT_GATEWAY} is missing: run "npm run build" first (npm test does)`);
    const component = randomComponent();
    // Tokens live 5 minutes, under the 10-minute margin: every call refreshes first.
    sim = await startWeChatSimulator({
      ...component,
      port: 0,
      pushTicketOnStart: false,
      rotateRefreshTokens: true,
      authorizerTokenTtlSec: 300,
    });
    const databaseUrl = await createTestDatabase();
    const port = await findFreePort();
    url = `http://127.0.0.1:${port}`;
    const operatorKey = `op_kill_${randomBytes(16).toString('hex')}`;
    env = {
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      PUBLIC_BASE_URL: url,
      OPERATOR_API_KEYS: operatorKey,
      SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ...wechatEnvFor(component, sim.url),
      LOG_LEVEL: 'warn',
    };
    gateway = await spawnGateway(env, url);
    sim.setEventUrl(`${url}/wechat/component/events`);
    await sim.pushTicket();
    h = { url, sim, operatorKey, databaseUrl } as unknown as Harness;
    tenants = [];
    for (let i = 0; i < TENANTS; i++) tenants.push(await onboardTenant(h));
  }, 90_000);

  afterAll(async () => {
    if (gateway && gateway.child.exitCode === null) gateway.child.kill('SIGKILL');
    await gateway?.exited;
    await sim?.close();
  });

  const read = (t: OnboardedTenant) => request(url).get(`/v1/tenants/${t.id}/blacklist`).set(bearer(h.operatorKey));

  it(`${TRIALS} trials, ${TENANTS} tenants refreshing in each: every tenant still works afterwards`, async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const g = gateway!;
      // Each refresh takes 0–30 ms at WeChat.
      for (const t of tenants) {
        sim.addFault({
          api: 'component/api_authorizer_token',
          type: 'delay',
          delayMs: Math.floor(Math.random() * 30),
          count: 1,
          appId: t.appId,
        });
      }
      const before = sim.calls({ api: 'component/api_authorizer_token' }).length;
      const inFlight = tenants.map((t) =>
        read(t).then(
          () => undefined,
          () => undefined,
        ),
      );
      // Kill once WeChat has answered the first refresh: the others are still on the wire (0–30 ms).
      await eventually(
        async () => expect(sim.calls({ api: 'component/api_authorizer_token' }).length).toBeGreaterThan(before),
        10_000,
      );
      await sleep(Math.floor(Math.random() * 10));
      g.child.kill('SIGKILL');
      await g.exited;
      await Promise.all(inFlight);
      // WeChat still answers (and rotates) what was on the wire.
      await sleep(60);
      gateway = await spawnGateway(env, url);
      for (const t of tenants) await read(t).expect(200);
    }
    const statuses = await sql<{ status: string }>(h, `SELECT status FROM tenants WHERE id = ANY($1::uuid[])`, [
      tenants.map((t) => t.id),
    ]);
    expect(statuses.map((s) => s.status)).toEqual(tenants.map(() => 'active'));
    // The kills did land while refreshes were being made, and WeChat's list was what saved them
    // (each list call is a tenant that today's code would have marked reauthorization_required).
    expect(sim.calls({ api: 'component/api_get_authorizer_list' }).length).toBeGreaterThan(0);
  }, 300_000);
});
