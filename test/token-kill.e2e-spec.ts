import type { WeChatSimulator } from '@app/wechat-sim';
import request from 'supertest';
import type { Harness } from './support/gateway-harness';
import { bearer, sql, type OnboardedTenant } from './support/onboarding';
import { sleep } from './support/blacklist-helpers';
import { type KillableGateway, startKillableGateway } from './support/production-env';

const TRIALS = 20;
const TENANTS = 3;

/**
 * The review's acceptance test for refresh tokens: a WeChat that issues a new refresh token on
 * every refresh (retiring the old one), and a gateway killed -9 while refreshes are on the wire
 * or have just been answered. No tenant may end reauthorization_required.
 */
describe('kill -9 during token refreshes loses no tenant', () => {
  let k: KillableGateway;
  let sim: WeChatSimulator;
  let h: Harness;
  let tenants: OnboardedTenant[];

  beforeAll(async () => {
    // Tokens live 5 minutes, under the 10-minute margin: every call refreshes first.
    k = await startKillableGateway({
      simOptions: { rotateRefreshTokens: true, authorizerTokenTtlSec: 300 },
      tenants: TENANTS,
    });
    ({ sim, h, tenants } = k);
  }, 90_000);

  afterAll(() => k?.close());

  const read = (t: OnboardedTenant) => request(k.url).get(`/v1/tenants/${t.id}/blacklist`).set(bearer(h.operatorKey));

  it(`${TRIALS} trials, ${TENANTS} tenants refreshing in each: every tenant still works afterwards`, async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
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
      // Polled every 2 ms (the simulator runs in this process): a 50 ms poll often saw the first
      // answer only once every refresh had been answered and stored, and no kill landed mid-refresh.
      const until = Date.now() + 10_000;
      while (sim.calls({ api: 'component/api_authorizer_token' }).length <= before) {
        if (Date.now() > until) throw new Error('no refresh reached WeChat within 10 s');
        await sleep(2);
      }
      await sleep(Math.floor(Math.random() * 10));
      await k.kill();
      await Promise.all(inFlight);
      // WeChat still answers (and rotates) what was on the wire.
      await sleep(60);
      await k.restart();
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
