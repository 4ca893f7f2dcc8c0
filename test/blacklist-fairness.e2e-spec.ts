import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { onboardTenant, type OnboardedTenant } from './support/onboarding';
import { bearer, waitForJob } from './support/blacklist-helpers';

const POLL_SECONDS = 0.5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function submit(h: Harness, t: OnboardedTenant, openids: string[]): Promise<string> {
  const res = await request(h.url)
    .post(`/v1/tenants/${t.id}/blacklist/jobs`)
    .set(bearer(t.apiKey))
    .send({ action: 'block', openids })
    .expect(202);
  return res.body.id as string;
}

/** Seconds from a job's creation to its start, as the gateway recorded them. */
async function startLatency(h: Harness, t: OnboardedTenant, openids: string[]): Promise<number> {
  const id = await submit(h, t, openids);
  const { job } = await waitForJob(h.url, t.apiKey, t.id, id, (j) => j.startedAt !== null, 60_000);
  return (Date.parse(job.startedAt) - Date.parse(job.createdAt)) / 1000;
}

/**
 * Jobs are shared fairly across tenants. Tenant A queues 16 jobs (a backlog that
 * takes its tenant-rate-limited workers seconds to clear); tenant B's one-openid job must start as
 * soon as it would with nobody else queued: within 2× B's start latency alone (floored at one poll
 * interval, the granularity of any start).
 */
describe('blacklist jobs: fair scheduling across tenants', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      config: (c) => ({
        ...c,
        blacklist: {
          ...c.blacklist,
          callsPerSecondPerTenant: 20,
          jobs: { pollingIntervalSeconds: POLL_SECONDS, workersPerInstance: 4 },
        },
      }),
    });
    await h.sim.pushTicket();
  });
  afterAll(() => h.close());

  it('B’s job start latency with A’s backlog of 16 jobs ≤ 2× B alone', async () => {
    const a = await onboardTenant(h, { name: 'A', followers: 1600 });
    const b = await onboardTenant(h, { name: 'B', followers: 10 });

    const alone: number[] = [];
    for (let i = 0; i < 5; i++) alone.push(await startLatency(h, b, [b.followers[i]]));

    const backlog = await Promise.all(
      Array.from({ length: 16 }, (_, i) => submit(h, a, a.followers.slice(i * 100, (i + 1) * 100))),
    );
    const withBacklog: number[] = [];
    for (let i = 0; i < 5; i++) withBacklog.push(await startLatency(h, b, [b.followers[5 + i]]));

    const baseline = Math.max(median(alone), POLL_SECONDS);
    process.stdout.write(
      `fairness: B alone ${alone.map((s) => s.toFixed(2)).join(', ')} s; with A's backlog ${withBacklog
        .map((s) => s.toFixed(2))
        .join(', ')} s\n`,
    );
    // The first of B's jobs meets all 16 of A's queued; the later ones what is left of them.
    expect(withBacklog[0]).toBeLessThanOrEqual(2 * baseline);
    expect(median(withBacklog)).toBeLessThanOrEqual(2 * baseline);

    // The backlog was real while B was measured: most of A's jobs had not even started.
    const states = await Promise.all(
      backlog.map(
        async (id) => (await request(h.url).get(`/v1/tenants/${a.id}/blacklist/jobs/${id}`).set(bearer(a.apiKey))).body,
      ),
    );
    expect(states.filter((j) => j.startedAt === null).length).toBeGreaterThanOrEqual(8);

    // A still finishes everything, at most 2 of its jobs running at once.
    for (const id of backlog) await waitForJob(h.url, a.apiKey, a.id, id, (j) => j.finishedAt !== null, 60_000);
  }, 120_000);
});
