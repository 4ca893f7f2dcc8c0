import { deliverTicket, newSecrets } from '../lib/env';
import { expectStatus, request, sleep } from '../lib/http';
import { round } from '../lib/load';
import { metric } from '../lib/report';
import type { Scenario } from '../lib/scenario';
import { followersOf, onboardTenant } from '../lib/tenants';

interface JobView {
  id: string;
  status: string;
  total: number;
  processed: number;
  succeeded: number;
  invalid: number;
  failed: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: unknown;
}

const TERMINAL = new Set(['succeeded', 'partially_failed', 'failed', 'cancelled']);

/** The gateway's own memory gauges (prom-client default metrics on /metrics), MB. */
async function memoryGauges(url: string): Promise<{ heapUsed: number; heapTotal: number; external: number; rss: number } | undefined> {
  const r = await request('GET', `${url}/metrics`, { timeoutMs: 5000 }).catch(() => undefined);
  if (r?.status !== 200) return undefined;
  const g = (name: string) => {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(r.text);
    return m ? round(Number(m[1]) / 2 ** 20, 1) : NaN;
  };
  return {
    heapUsed: g('nodejs_heap_size_used_bytes'),
    heapTotal: g('nodejs_heap_size_total_bytes'),
    external: g('nodejs_external_memory_bytes'),
    rss: g('process_resident_memory_bytes'),
  };
}

/**
 * One block job of 100,000 openids against a simulator that serves at most R calls per second
 * (queueing the rest, as a rate-limited upstream does). The ideal is 100,000 / 20 / R seconds;
 * we report the job's wall time (request sent → job finished) over that, and the gateway
 * process's peak RSS (VmHWM), which must stay bounded however large the job.
 */
export const bulk: Scenario = {
  name: 'bulk',
  title: 'a 100,000-openid block job against a rate-limited WeChat',
  timeoutSeconds: 600,
  async run(ctx) {
    const R = ctx.options.rate;
    const n = ctx.options.quick ? Math.min(ctx.options.bulkOpenids, 10_000) : ctx.options.bulkOpenids;
    const idealSeconds = n / 20 / R;
    // The gateway's own per-tenant pace is set above R so that WeChat's rate is what binds.
    const cfg = { openids: n, simulatorCallsPerSecond: R, idealSeconds, gatewayEnv: { BLACKLIST_CALLS_PER_SECOND_PER_TENANT: String(Math.min(10_000, R * 5)) } };
    const databaseUrl = await ctx.env.createDatabase('bulk');
    const appId = 'wxbenchbulk0001';
    const sim = await ctx.env.startSimulator('bulk-sim', {
      maxCallsPerSecond: R,
      dailyQuota: { 'tags/members/batchblacklist': 1_000_000_000 },
    });
    const secrets = newSecrets();
    const gw = await ctx.env.startGateway({ label: 'bulk-gateway', databaseUrl, sim, ...secrets, env: cfg.gatewayEnv, cpuProfileDir: ctx.profileDir });
    await deliverTicket(sim, gw);
    const tenant = await onboardTenant(gw, sim, secrets.operatorKey, { name: 'Bulk Books', appId, followerCount: n });
    const openids = await followersOf(sim, appId);
    if (openids.length !== n) throw new Error(`simulator holds ${openids.length} followers, expected ${n}`);
    const rssBefore = gw.rss();
    await sim.control('DELETE', '/calls');
    const usage = async () =>
      (await sim.control<Record<string, { used: number }>>('GET', `/quotas?appId=${appId}`))['tags/members/batchblacklist'].used;
    const usedBefore = await usage();
    ctx.log(`tenant ${tenant.id} onboarded with ${n} followers; gateway pid ${gw.pid}, RSS ${round(rssBefore / 2 ** 20, 1)} MB; ideal ${round(idealSeconds, 1)} s at ${R} calls/s`);

    const t0 = Date.now();
    const created = await expectStatus<JobView>(202, 'POST', `${gw.url}/v1/tenants/${tenant.id}/blacklist/jobs`, {
      key: tenant.apiKey,
      body: { action: 'block', openids },
      timeoutMs: 120_000,
    });
    const acceptedMs = Date.now() - t0;
    const rssAfterAccept = gw.rss();
    // Memory over time: V8 heap used/total, external (buffers) and RSS, once a second.
    const timeline: { s: number; status: string; processed: number; heapUsed: number; heapTotal: number; external: number; rss: number }[] = [];
    let lastSample = 0;
    const deadline = t0 + Math.max(120, idealSeconds * 10) * 1000;
    let job = created.json;
    let maxRss = gw.rss();
    let lastLog = 0;
    while (!TERMINAL.has(job.status)) {
      if (Date.now() > deadline) throw new Error(`job still ${job.status} after ${Math.round((Date.now() - t0) / 1000)} s: ${JSON.stringify(job)}`);
      if (job.status === 'paused') throw new Error(`job paused (daily quota?): ${JSON.stringify(job)}`);
      await sleep(200);
      job = (await expectStatus<JobView>(200, 'GET', `${gw.url}/v1/tenants/${tenant.id}/blacklist/jobs/${created.json.id}`, { key: tenant.apiKey })).json;
      maxRss = Math.max(maxRss, gw.rss());
      if (Date.now() - lastSample >= 1000) {
        lastSample = Date.now();
        const m = await memoryGauges(gw.url);
        if (m) timeline.push({ s: round((Date.now() - t0) / 1000, 1), status: job.status, processed: job.processed, ...m });
      }
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        ctx.log(`  ${job.status} ${job.processed}/${job.total} after ${round((Date.now() - t0) / 1000, 1)} s, RSS ${round(gw.rss() / 2 ** 20, 1)} MB`);
      }
    }
    const observedMs = Date.now() - t0;
    // The job's own finishedAt (same host clock) is exact; polling only adds up to 200 ms.
    const wallMs = job.finishedAt ? Date.parse(job.finishedAt) - t0 : observedMs;
    const peakRss = gw.peakRss();
    const memoryAfterJob = await memoryGauges(gw.url);
    const wechatCalls = (await usage()) - usedBefore;
    const blacklisted = (await sim.control<{ blacklist: string[] }>('GET', `/authorizers/${appId}?followers=0`)).blacklist.length;
    const ratio = wallMs / 1000 / idealSeconds;

    const notes: string[] = [];
    if (job.status !== 'succeeded' || job.succeeded !== n) notes.push(`job ended ${job.status} with ${job.succeeded} succeeded, ${job.invalid} invalid, ${job.failed} failed of ${n}.`);
    if (wechatCalls !== Math.ceil(n / 20)) notes.push(`WeChat received ${wechatCalls} successful batchblacklist calls; ${Math.ceil(n / 20)} chunks were needed.`);
    if (blacklisted !== n) notes.push(`the simulator's blacklist holds ${blacklisted} openids, expected ${n}.`);
    return {
      setup: cfg,
      metrics: [
        metric('wall_time_ratio', `wall time / ideal (${round(idealSeconds, 1)} s at ${R} calls/s)`, round(ratio, 3), '', { op: '<=', value: 1.2 }),
        metric('peak_rss_mb', 'gateway peak RSS (VmHWM)', round(peakRss / 2 ** 20, 1), 'MB', { op: '<=', value: 256 }),
        metric('wall_time_s', 'job wall time', round(wallMs / 1000, 1), 's'),
        metric('job_succeeded', 'openids blocked', job.succeeded, ''),
      ],
      details: {
        jobId: job.id,
        status: job.status,
        succeeded: job.succeeded,
        invalid: job.invalid,
        failed: job.failed,
        acceptedMs,
        observedMs,
        wallMs,
        queuedMs: job.startedAt ? Date.parse(job.startedAt) - t0 : null,
        runMs: job.startedAt && job.finishedAt ? Date.parse(job.finishedAt) - Date.parse(job.startedAt) : null,
        wechatSuccessfulCalls: wechatCalls,
        chunksNeeded: Math.ceil(n / 20),
        simulatorBlacklistSize: blacklisted,
        rssBeforeMB: round(rssBefore / 2 ** 20, 1),
        rssAfterAcceptMB: round(rssAfterAccept / 2 ** 20, 1),
        memoryAfterJobMB: memoryAfterJob,
        memoryTimelineMB: timeline,
        maxSampledRssMB: round(maxRss / 2 ** 20, 1),
        peakRssMB: round(peakRss / 2 ** 20, 1),
      },
      notes,
    };
  },
};
