import { MessageReceiptsSweep } from '../../apps/gateway/src/follower-messages/message-receipts-sweep.schedule';
import { startHarness, type Harness } from '../support/gateway-harness';
import { craftMessagePush, textMessage } from '../support/message-pushes';
import { onboardTenant, sql } from '../support/onboarding';

const ROWS = 1_000_000;
const CLIENTS = 4;
const BASELINE_MS = 10_000;

/**
 * A million expired message receipts are swept while followers' messages keep arriving (each one
 * inserts a receipt into the table being swept, in its own transaction): the sweep must not hold
 * them up. The stream's p99 during the sweep is compared with the same stream just before it.
 */
describe('retention sweep of a million rows under a request stream', () => {
  let h: Harness;
  let appId: string;
  let gh: string;
  beforeAll(async () => {
    h = await startHarness();
    appId = (await onboardTenant(h)).appId;
    // Pushes name the account they are for (its original id), as WeChat's do.
    gh = h.sim.getAuthorizer(appId).userName;
  }, 60_000);

  /** A million expired receipts, as an old table would hold them: vacuumed, so no window pays for the fill. */
  async function fillExpired(): Promise<void> {
    await sql(
      h,
      `INSERT INTO wechat_message_receipts (app_id, message_key, answer, received_at)
       SELECT 'wxexpired', 'msg:' || g, 'success', now() - interval '10 days' FROM generate_series(1, $1::int) g`,
      [ROWS],
    );
    await sql(h, `VACUUM (ANALYZE) wechat_message_receipts`);
    await sql(h, `CHECKPOINT`);
  }
  afterAll(() => h?.close());

  let sent = 0;
  /** CLIENTS loops pushing distinct messages until `done()`; every latency in ms. */
  async function stream(done: () => boolean): Promise<number[]> {
    const latencies: number[] = [];
    const client = async () => {
      while (!done()) {
        const n = ++sent;
        const push = craftMessagePush(h, appId, textMessage(gh, 'oFollower', `hello ${n}`, String(9_000_000 + n)));
        const started = performance.now();
        const res = await fetch(`${h.url}${push.path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'text/xml' },
          body: push.body,
        });
        await res.text();
        latencies.push(performance.now() - started);
        if (res.status !== 200) throw new Error(`message push answered ${res.status}`);
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    return latencies;
  }
  const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)];

  /**
   * One measured round: the stream alone, the stream during the sweep of a fresh million expired
   * rows, and the stream alone again (measured on both sides, so load that drifts meanwhile weighs
   * on both alike).
   */
  async function round(): Promise<{ sweepMs: number; alone: number[]; during: number[] }> {
    await fillExpired();
    let until = Date.now() + BASELINE_MS / 2;
    const before = await stream(() => Date.now() > until);

    let swept = false;
    const sweepStarted = Date.now();
    const sweep = h.app
      .get(MessageReceiptsSweep)
      .run()
      .finally(() => (swept = true));
    const during = await stream(() => swept);
    await sweep;
    const sweepMs = Date.now() - sweepStarted;

    // The dead rows' vacuum is done before the second window, so it measures the stream alone too.
    await sql(h, `VACUUM wechat_message_receipts`);
    until = Date.now() + BASELINE_MS / 2;
    const alone = [...before, ...(await stream(() => Date.now() > until))];
    expect(
      (await sql<{ n: number }>(h, `SELECT count(*)::int AS n FROM wechat_message_receipts WHERE app_id = 'wxexpired'`))[0].n,
    ).toBe(0);
    return { sweepMs, alone, during };
  }

  it('removes them in batches while the stream’s p99 stays within 1.5× of the same stream without the sweep', async () => {
    const warmUntil = Date.now() + 2000;
    await stream(() => Date.now() > warmUntil);
    // Other processes on the machine only widen a round's tail: up to three
    // rounds, one of which must keep the bound.
    const reports: { sweepMs: number; aloneP99: number; duringP99: number; during: number }[] = [];
    while (reports.length < 3 && !reports.some((r) => r.duringP99 <= 1.5 * r.aloneP99)) {
      const r = await round();
      reports.push({
        sweepMs: r.sweepMs,
        aloneP99: +p99(r.alone).toFixed(1),
        duringP99: +p99(r.during).toFixed(1),
        during: r.during.length,
      });
    }
    console.log(JSON.stringify(reports));
    // The stream's own receipts are fresh: all kept.
    expect(
      (await sql<{ n: number }>(h, `SELECT count(*)::int AS n FROM wechat_message_receipts WHERE app_id = $1`, [appId]))[0].n,
    ).toBe(sent);
    for (const r of reports) expect(r.during).toBeGreaterThan(100);
    expect(reports.some((r) => r.duringP99 <= 1.5 * r.aloneP99)).toBe(true);
  }, 240_000);
});
