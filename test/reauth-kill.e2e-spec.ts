import type { WeChatSimulator } from '@app/wechat-sim';
import request from 'supertest';
import type { Harness } from './support/gateway-harness';
import { authorizeAtWeChat, bearer, eventually, sql, startSession, type OnboardedTenant } from './support/onboarding';
import { lastSeq, sleep } from './support/blacklist-helpers';
import { type KillableGateway, startKillableGateway } from './support/production-env';

const TRIALS = 20;
const TENANTS = 3;
const INFO = 'component/api_get_authorizer_info';

/** How a re-authorization reaches the gateway: the browser's callback, WeChat's push, or both racing. */
type Path = 'callback' | 'push' | 'both';
const PATHS: Path[] = ['callback', 'push', 'both'];

/**
 * The review's acceptance test for re-authorization: onboarded tenants authorize again (WeChat
 * retires the old refresh token at once, and issues a new one on every refresh), and the gateway
 * is killed -9 while api_query_auth has answered and api_get_authorizer_info is on the wire. The
 * exchanged tokens must have been stored before that second round trip: after a restart every
 * tenant is active, works, and its next refresh uses the refresh token WeChat issued (no 61023,
 * no rescue from WeChat's authorizer list, which would hide a lost grant).
 */
describe('kill -9 during re-authorization loses no tenant', () => {
  let k: KillableGateway;
  let sim: WeChatSimulator;
  let h: Harness;
  let tenants: OnboardedTenant[];

  beforeAll(async () => {
    // Tokens live 5 minutes, under the 10-minute margin: the first call after a restart refreshes
    // with whatever refresh token the gateway kept.
    k = await startKillableGateway({
      simOptions: { rotateRefreshTokens: true, authorizerTokenTtlSec: 300 },
      // The background renewer stays out of the way (first sweep after 8+ minutes): a refresh it
      // had on the wire at a kill would legitimately need the list's rescue, which is the refresh
      // test's subject (token-kill.e2e-spec.ts), not this one's.
      extraEnv: { TOKEN_RENEWAL_INTERVAL_MS: '600000' },
      tenants: TENANTS,
    });
    ({ sim, h, tenants } = k);
  }, 90_000);

  afterAll(() => k?.close());

  const read = (t: OnboardedTenant) => request(k.url).get(`/v1/tenants/${t.id}/blacklist`).set(bearer(h.operatorKey));
  const settled = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      () => undefined,
    );

  /** Starts the tenant's re-authorization along `path`; resolves once it is under way, with its end. */
  async function reauthorize(t: OnboardedTenant, path: Path): Promise<{ done: Promise<void> }> {
    if (path === 'push') return { done: settled(sim.reauthorize(t.appId, { push: 'now' })) };
    const session = await startSession(h, t.id);
    // 'both': WeChat pushes as soon as it has redirected, while the browser follows the redirect.
    const { callbackUrl } = await authorizeAtWeChat(h, session.onboardingUrl, {
      appId: t.appId,
      push: path === 'both' ? 'after' : 'none',
    });
    return { done: settled(fetch(callbackUrl, { redirect: 'manual' }).then((r) => r.text())) };
  }

  it(`${TRIALS} trials, ${TENANTS} tenants re-authorizing in each (callback, push, both): every tenant keeps its new grant`, async () => {
    let landed = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const since = lastSeq(sim);
      // The account read after the exchange takes 400–800 ms at WeChat: the kill lands in it.
      const faults = tenants.map((t) =>
        sim.addFault({ api: INFO, type: 'delay', delayMs: 400 + Math.floor(Math.random() * 400), count: 1, appId: t.appId }),
      );
      const inFlight: Promise<void>[] = [];
      for (const [i, t] of tenants.entries()) inFlight.push((await reauthorize(t, PATHS[(trial + i) % PATHS.length])).done);
      // A delay fault retires when its call arrives: then api_query_auth has answered for that
      // tenant and its account read is on the wire.
      await eventually(async () => expect(sim.faults().filter((f) => faults.some((x) => x.id === f.id))).toEqual([]), 10_000);
      await sleep(Math.floor(Math.random() * 50));
      const killedAt = Date.now();
      await k.kill();
      await Promise.all(inFlight);

      // WeChat answers the account reads into the void; each shows whether the kill fell inside it.
      const reads = await eventually(async () => {
        const calls = sim.calls({ api: INFO, since });
        expect(calls).toHaveLength(TENANTS);
        return calls;
      }, 5_000);
      landed += reads.filter((c) => c.at <= killedAt && killedAt < c.at + c.durationMs).length;
      // Every code was exchanged exactly once: each tenant's old refresh token is dead at WeChat now.
      const exchanges = sim.calls({ api: 'component/api_query_auth', since });
      expect(exchanges.map((c) => c.errcode)).toEqual(tenants.map(() => 0));

      await k.restart();
      for (const t of tenants) await read(t).expect(200);
    }

    const statuses = await sql<{ status: string }>(h, `SELECT status FROM tenants WHERE id = ANY($1::uuid[])`, [
      tenants.map((t) => t.id),
    ]);
    expect(statuses.map((s) => s.status)).toEqual(tenants.map(() => 'active'));
    // The kills fell between the exchange and the account read (the window the review found).
    expect(landed).toBeGreaterThanOrEqual(Math.ceil(TRIALS * TENANTS * 0.8));
    // Each refresh after a restart used the refresh token the re-authorization issued: none was
    // refused, and WeChat's authorizer list never had to supply a token the gateway had lost.
    const refreshes = sim.calls({ api: 'component/api_authorizer_token' });
    expect(refreshes.length).toBeGreaterThanOrEqual(TRIALS * TENANTS);
    expect(refreshes.filter((c) => c.errcode !== 0).map((c) => `${c.appId} ${c.errcode}`)).toEqual([]);
    expect(sim.calls({ api: 'component/api_get_authorizer_list' })).toHaveLength(0);
  }, 240_000);
});
