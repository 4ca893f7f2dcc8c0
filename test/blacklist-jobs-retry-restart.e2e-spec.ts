import { startWeChatSimulator, type WeChatSimulator } from '@app/wechat-sim';
import request from 'supertest';
import type { GatewayConfig } from '../apps/gateway/src/platform/config/gateway-config';
import { randomComponent, startHarness, type Harness } from './support/gateway-harness';
import { eventually, onboardTenant } from './support/onboarding';
import { allItems, BATCH_BLOCK, bearer, GET_BLACKLIST, lastSeq, sleep, waitForJob } from './support/blacklist-helpers';
import { createTestDatabase } from './support/test-database';

/** The HTTP client's deadline per attempt (WeChatHttp's default): a longer delay is a timeout. */
const CLIENT_TIMEOUT_MS = 10_000;

/**
 * Retries across processes: a chunk's retry window and the openids whose call had
 * an unknown outcome live in the database, so the process that sends the chunk next (after a
 * restart, or another instance) continues the same window and still reads those openids back.
 */
describe('a blacklist job’s retry window survives a restart', () => {
  let sim: WeChatSimulator;
  let db: string;
  let first: Harness | undefined;
  const running: Harness[] = [];

  beforeEach(async () => {
    db = await createTestDatabase();
    sim = await startWeChatSimulator({ ...randomComponent(), port: 0, pushTicketOnStart: false });
    first = undefined;
  });
  afterEach(async () => {
    for (const h of running.splice(0)) await h.close();
    await sim.close();
  });

  /** A gateway on the shared database and simulator; later ones take the first one's keys. */
  async function gateway(windowSeconds: number): Promise<Harness> {
    const keys = first;
    const h = await startHarness({
      databaseUrl: db,
      simulator: sim,
      config: (c): GatewayConfig => ({
        ...c,
        ...(keys ? { operatorApiKeys: [keys.operatorKey], secretsKey: keys.config.secretsKey } : {}),
        blacklist: { ...c.blacklist, jobs: { pollingIntervalSeconds: 0.5, transientRetryWindowSeconds: windowSeconds } },
      }),
    });
    running.push(h);
    if (keys) return { ...h, operatorKey: keys.operatorKey };
    sim.setEventUrl(`${h.url}/wechat/component/events`);
    first = h;
    return h;
  }

  /** Stops an instance gracefully: its chunk goes back to pending and its job to the queue. */
  async function stop(h: Harness): Promise<void> {
    running.splice(
      running.findIndex((r) => r.url === h.url),
      1,
    );
    await h.close();
  }

  const createJob = (h: Harness, tenantId: string, openids: string[]) =>
    request(h.url).post(`/v1/tenants/${tenantId}/blacklist/jobs`).set(bearer(h.operatorKey)).send({ action: 'block', openids });

  const answeredMinusOne = (appId: string, since: number) =>
    sim.calls({ api: BATCH_BLOCK, appId, since }).filter((c) => c.errcode === -1).length;

  it('the window is measured from the chunk’s first transient failure, not restarted by the next instance', async () => {
    const windowSeconds = 10;
    const a = await gateway(windowSeconds);
    const t = await onboardTenant(a, { followers: 10 });
    sim.addFault({ api: BATCH_BLOCK, type: 'errcode', errcode: -1, appId: t.appId });
    const since = lastSeq(sim);
    const job = (await createJob(a, t.id, t.followers).expect(202)).body;
    await eventually(async () => expect(answeredMinusOne(t.appId, since)).toBeGreaterThan(0));
    // Half the window later, this instance stops and another one takes the chunk over.
    await sleep((windowSeconds / 2) * 1000);
    await stop(a);
    const b = await gateway(windowSeconds);

    const { job: done } = await waitForJob(b.url, b.operatorKey, t.id, job.id, undefined, 40_000);
    expect(done).toMatchObject({ status: 'failed', failed: 10, succeeded: 0 });
    // Window (10 s) plus the last try and the settling; a restarted window would end past 5 + 10 s.
    const ranMs = Date.parse(done.finishedAt) - Date.parse(done.startedAt);
    expect(ranMs).toBeGreaterThanOrEqual(windowSeconds * 1000);
    expect(ranMs).toBeLessThan((windowSeconds + 3) * 1000);
  }, 60_000);

  it('an openid whose call timed out, then a restart and only -1 until the window ends: read back, succeeded, never failed', async () => {
    const a = await gateway(15);
    const t = await onboardTenant(a, { followers: 5 });
    const since = lastSeq(sim);
    // The first call reaches WeChat and is applied, but only after the client has given up on it.
    const slow = sim.addFault({ api: BATCH_BLOCK, type: 'delay', delayMs: CLIENT_TIMEOUT_MS + 1500, count: 1, appId: t.appId });
    const job = (await createJob(a, t.id, t.followers).expect(202)).body;
    await eventually(async () => expect(sim.faults().some((f) => f.id === slow.id)).toBe(false));
    // Every later try, the HTTP client's own retries of that call included, from any instance, is
    // answered -1 (a failure WeChat answered): only the first try's outcome is unknown.
    sim.addFault({ api: BATCH_BLOCK, type: 'errcode', errcode: -1, appId: t.appId });
    // Two -1s end the client's tries; the third is the job's own re-send, so the failure is recorded.
    await eventually(async () => expect(answeredMinusOne(t.appId, since)).toBeGreaterThanOrEqual(3), CLIENT_TIMEOUT_MS + 10_000);
    // The slow call lands a little after the client gave up on it.
    await eventually(async () => expect(sim.getAuthorizer(t.appId).blacklist).toEqual([...t.followers].sort()), 5000);
    await stop(a);
    const b = await gateway(15);

    const { job: done } = await waitForJob(b.url, b.operatorKey, t.id, job.id, undefined, 40_000);
    expect(done).toMatchObject({ status: 'succeeded', succeeded: 5, failed: 0 });
    const items = await allItems(b.url, b.operatorKey, t.id, job.id);
    expect(items.filter((i) => i.outcome !== 'succeeded')).toEqual([]);
    // Learned from getblacklist: the only batchblacklist WeChat applied is the one whose answer was lost.
    const applied = sim.calls({ api: BATCH_BLOCK, appId: t.appId, since }).filter((c) => c.errcode === 0);
    expect(applied.map((c) => c.fault)).toEqual([`delay#${slow.id}`]);
    expect(sim.calls({ api: GET_BLACKLIST, appId: t.appId, since }).length).toBeGreaterThanOrEqual(1);
    // Every try after the unknown outcome re-sent those openids, counted (also across the restart).
    expect(done.details.resentAfterUnknownOutcome).toBeGreaterThanOrEqual(10);
  }, 90_000);
});
