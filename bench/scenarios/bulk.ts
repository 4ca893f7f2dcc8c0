// Over 300 lines: one scenario (the job posted as JSON or streamed, polled to its end, memory and
// CPU sampled, the profile variants), with its small helpers beside it; split, it reads worse.
import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { BENCH_METRICS_TOKEN, cpuMs, deliverTicket, newSecrets } from '../lib/env';
import { heapGrowth, summariseHeapSnapshot, takeHeapSnapshot } from '../lib/heap';
import { Inspector, summariseAllocations } from '../lib/inspector';
import { database } from '../lib/project';
import { expectStatus, request, sleep } from '../lib/http';
import { round } from '../lib/load';
import { monotonicMicros } from '../lib/profile';
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

/** Statement counts by their first 100 characters, most frequent first (polling and status reads included). */
function summariseStatements(sql: string[]) {
  const by = new Map<string, number>();
  for (const x of sql) by.set(x.slice(0, 100), (by.get(x.slice(0, 100)) ?? 0) + 1);
  return { total: sql.length, byStatement: Object.fromEntries([...by.entries()].sort((a, b) => b[1] - a[1])) };
}

/** POSTs the job as application/x-ndjson, written as the socket drains (the runner never builds the whole body). */
function postStreamed(url: string, key: string, openids: string[]): Promise<{ status: number; json: JobView }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          if (res.statusCode !== 202) return reject(new Error(`streamed POST answered ${res.statusCode}: ${text.slice(0, 300)}`));
          resolve({ status: res.statusCode, json: JSON.parse(text) as JobView });
        });
      },
    );
    req.on('error', reject);
    let i = 0;
    const write = () => {
      if (i === 0) req.write('{"action":"block"}\n');
      while (i < openids.length) {
        const line = `${openids.slice(i, i + 1000).join('\n')}\n`;
        i += 1000;
        if (!req.write(line)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

const TERMINAL = new Set(['succeeded', 'partially_failed', 'failed', 'cancelled']);

/** The gateway's own memory gauges (prom-client default metrics on /metrics), MB. */
async function memoryGauges(
  url: string,
): Promise<{ heapUsed: number; heapTotal: number; external: number; rss: number } | undefined> {
  const r = await request('GET', `${url}/metrics`, { timeoutMs: 5000, key: BENCH_METRICS_TOKEN }).catch(() => undefined);
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
  title: 'one block job (100,000 openids; --openids=, --stream) against a rate-limited WeChat',
  // The 1,000,000-openid leg (--openids=1000000 --stream) takes about 5 minutes of sending alone.
  timeoutSeconds: 1800,
  async run(ctx) {
    const R = ctx.options.rate;
    const n = ctx.options.quick ? Math.min(ctx.options.bulkOpenids, 10_000) : ctx.options.bulkOpenids;
    const idealSeconds = n / 20 / R;
    // The gateway's own per-tenant pace is set above R so that WeChat's rate is what binds.
    const cfg = {
      openids: n,
      submission: ctx.options.stream ? 'application/x-ndjson, streamed' : 'application/json, one body',
      simulatorCallsPerSecond: R,
      idealSeconds,
      gatewayEnv: { BLACKLIST_CALLS_PER_SECOND_PER_TENANT: String(Math.min(10_000, R * 5)) },
    };
    const databaseUrl = await ctx.env.createDatabase('bulk');
    const appId = 'wxbenchbulk0001';
    const sim = await ctx.env.startSimulator('bulk-sim', {
      maxCallsPerSecond: R,
      dailyQuota: { 'tags/members/batchblacklist': 1_000_000_000 },
    });
    const secrets = newSecrets();
    // With --profile, also heap snapshots before and after the job: what the process retains.
    const heapDir = ctx.profileDir ? join(ctx.env.dir, 'heap') : undefined;
    if (heapDir) mkdirSync(heapDir, { recursive: true });
    const inspectPort = ctx.profileDir ? await database().findFreePort() : undefined;
    const gw = await ctx.env.startGateway({
      inspectPort,
      label: 'bulk-gateway',
      databaseUrl,
      sim,
      ...secrets,
      env: cfg.gatewayEnv,
      cpuProfileDir: ctx.profileDir,
      heapSnapshotDir: heapDir,
    });
    await sleep(2000);
    const idleRssAfterStart = gw.rss();
    await deliverTicket(sim, gw);
    const tenant = await onboardTenant(gw, sim, secrets.operatorKey, { name: 'Bulk Books', appId, followerCount: n });
    const openids = await followersOf(sim, appId);
    if (openids.length !== n) throw new Error(`simulator holds ${openids.length} followers, expected ${n}`);
    // With --profile: the SQL a small job (10 chunks) runs, to see the database round trips per chunk.
    let sqlForTenChunks: string[] | undefined;
    if (ctx.profileDir) {
      sqlForTenChunks = await ctx.env.traceSql(async () => {
        const small = await expectStatus<JobView>(202, 'POST', `${gw.url}/v1/tenants/${tenant.id}/blacklist/jobs`, {
          key: tenant.apiKey,
          body: { action: 'block', openids: openids.slice(0, 200) },
        });
        for (let i = 0; i < 300; i++) {
          await sleep(100);
          const j = await expectStatus<JobView>(200, 'GET', `${gw.url}/v1/tenants/${tenant.id}/blacklist/jobs/${small.json.id}`, {
            key: tenant.apiKey,
          });
          if (TERMINAL.has(j.json.status)) return;
        }
      });
    }
    const heapBefore = heapDir ? summariseHeapSnapshot(await takeHeapSnapshot(gw.pid, heapDir), 300) : undefined;
    // Writing a snapshot raises the peak itself: reset the high-water mark (Linux clear_refs 5).
    if (heapBefore) writeFileSync(`/proc/${gw.pid}/clear_refs`, '5');
    const rssBefore = gw.rss();
    await sim.control('DELETE', '/calls');
    const usage = async () =>
      (await sim.control<Record<string, { used: number }>>('GET', `/quotas?appId=${appId}`))['tags/members/batchblacklist'].used;
    const usedBefore = await usage();
    ctx.log(
      `tenant ${tenant.id} onboarded with ${n} followers; gateway pid ${gw.pid}, RSS ${round(rssBefore / 2 ** 20, 1)} MB; ideal ${round(idealSeconds, 1)} s at ${R} calls/s`,
    );

    // With --profile: every allocation the job causes (sampled), including what the GC already freed.
    const inspector = inspectPort ? await Inspector.connect(inspectPort) : undefined;
    await inspector?.send('HeapProfiler.startSampling', {
      samplingInterval: 65536,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    // CPU time from the POST to the job's end, per chunk: what the machine's load does not change.
    const cpuBefore = { gateway: cpuMs(gw.pid), postgres: ctx.env.postgresCpuMs() };
    const t0 = Date.now();
    const profileFrom = monotonicMicros();
    const jobsUrl = `${gw.url}/v1/tenants/${tenant.id}/blacklist/jobs`;
    const created = ctx.options.stream
      ? await postStreamed(jobsUrl, tenant.apiKey, openids)
      : await expectStatus<JobView>(202, 'POST', jobsUrl, {
          key: tenant.apiKey,
          body: { action: 'block', openids },
          timeoutMs: 120_000,
        });
    const acceptedMs = Date.now() - t0;
    const rssAfterAccept = gw.rss();
    // Memory over time: V8 heap used/total, external (buffers) and RSS, once a second.
    const timeline: {
      s: number;
      status: string;
      processed: number;
      heapUsed: number;
      heapTotal: number;
      external: number;
      rss: number;
    }[] = [];
    let lastSample = 0;
    const deadline = t0 + Math.max(120, idealSeconds * 10) * 1000;
    let job = created.json;
    let maxRss = gw.rss();
    let lastLog = 0;
    while (!TERMINAL.has(job.status)) {
      if (Date.now() > deadline)
        throw new Error(`job still ${job.status} after ${Math.round((Date.now() - t0) / 1000)} s: ${JSON.stringify(job)}`);
      if (job.status === 'paused') throw new Error(`job paused (daily quota?): ${JSON.stringify(job)}`);
      await sleep(200);
      job = (
        await expectStatus<JobView>(200, 'GET', `${gw.url}/v1/tenants/${tenant.id}/blacklist/jobs/${created.json.id}`, {
          key: tenant.apiKey,
        })
      ).json;
      maxRss = Math.max(maxRss, gw.rss());
      if (Date.now() - lastSample >= 1000) {
        lastSample = Date.now();
        const m = await memoryGauges(gw.url);
        if (m) timeline.push({ s: round((Date.now() - t0) / 1000, 1), status: job.status, processed: job.processed, ...m });
      }
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        ctx.log(
          `  ${job.status} ${job.processed}/${job.total} after ${round((Date.now() - t0) / 1000, 1)} s, RSS ${round(gw.rss() / 2 ** 20, 1)} MB`,
        );
      }
    }
    const observedMs = Date.now() - t0;
    const chunks = Math.ceil(n / 20);
    const cpuPerChunkMs = {
      gateway: round((cpuMs(gw.pid) - cpuBefore.gateway) / chunks, 2),
      postgres: round((ctx.env.postgresCpuMs() - cpuBefore.postgres) / chunks, 2),
    };
    ctx.profileWindow(profileFrom, monotonicMicros());
    const allocations = inspector
      ? summariseAllocations(
          (await inspector.send<{ profile: { head: Parameters<typeof summariseAllocations>[0] } }>('HeapProfiler.stopSampling'))
            .profile.head,
        )
      : undefined;
    inspector?.close();
    // The job's own finishedAt (same host clock) is exact; polling only adds up to 200 ms.
    const wallMs = job.finishedAt ? Date.parse(job.finishedAt) - t0 : observedMs;
    const peakRss = gw.peakRss();
    const memoryAfterJob = await memoryGauges(gw.url);
    const heapAfter = heapDir ? summariseHeapSnapshot(await takeHeapSnapshot(gw.pid, heapDir), 300) : undefined;
    const wechatCalls = (await usage()) - usedBefore;
    const blacklisted = (await sim.control<{ blacklist: string[] }>('GET', `/authorizers/${appId}?followers=0`)).blacklist.length;
    const ratio = wallMs / 1000 / idealSeconds;

    const notes: string[] = [];
    if (job.status !== 'succeeded' || job.succeeded !== n)
      notes.push(
        `job ended ${job.status} with ${job.succeeded} succeeded, ${job.invalid} invalid, ${job.failed} failed of ${n}.`,
      );
    if (wechatCalls !== Math.ceil(n / 20))
      notes.push(`WeChat received ${wechatCalls} successful batchblacklist calls; ${Math.ceil(n / 20)} chunks were needed.`);
    if (blacklisted !== n) notes.push(`the simulator's blacklist holds ${blacklisted} openids, expected ${n}.`);
    const mb = (b: number) => round(b / 2 ** 20, 1);
    if (peakRss > 256 * 2 ** 20) {
      const first = timeline[0];
      const last = timeline[timeline.length - 1];
      const maxHeapTotal = Math.max(...timeline.map((t) => t.heapTotal));
      notes.push(
        [
          `Peak RSS: the gateway already held ${mb(rssBefore)} MB before the job; during it V8's heap grew from ${first?.heapTotal} to ${maxHeapTotal} MB ` +
            `(heapUsed ${first?.heapUsed} → ${last?.heapUsed} MB, rising with every chunk) while external memory stayed near ${last?.external} MB.`,
          heapBefore && heapAfter
            ? `After a full GC the heap retains ${heapBefore.totalMB} MB before and ${heapAfter.totalMB} MB after the job, so this is garbage the GC had not yet needed to collect, not a leak.`
            : 'Run with --profile for heap snapshots (retained memory) and an allocation profile.',
          allocations
            ? `The job allocated ${allocations.sampledMB} MB in all (${round((allocations.sampledMB * 1024) / Math.ceil(n / 20), 0)} KB per chunk), ` +
              `by package: ${allocations.byModule
                .slice(0, 4)
                .map((m) => `${m.name} ${m.percent}%`)
                .join(', ')}.`
            : '',
        ]
          .filter(Boolean)
          .join(' '),
      );
    }
    if (ratio > 1.2 && job.startedAt) {
      notes.push(
        `Wall time: ${round((Date.parse(job.startedAt) - t0) / 1000, 1)} s from the request to the job starting (upload, validation, storing the items, queue pickup), ` +
          `then ${round((Date.parse(job.finishedAt ?? new Date().toISOString()) - Date.parse(job.startedAt)) / 1000, 1)} s of sending for an ideal of ${round(idealSeconds, 1)} s.`,
      );
    }
    return {
      setup: cfg,
      metrics: [
        metric('wall_time_ratio', `wall time / ideal (${round(idealSeconds, 1)} s at ${R} calls/s)`, round(ratio, 3), '', {
          op: '<=',
          value: 1.2,
        }),
        metric('peak_rss_mb', 'gateway peak RSS (VmHWM)', round(peakRss / 2 ** 20, 1), 'MB', { op: '<=', value: 256 }),
        metric('idle_rss_mb', 'gateway RSS idle after start', round(idleRssAfterStart / 2 ** 20, 1), 'MB', {
          op: '<=',
          value: 150,
        }),
        metric('wall_time_s', 'job wall time', round(wallMs / 1000, 1), 's'),
        metric('gateway_cpu_per_chunk_ms', 'gateway CPU per 20-openid chunk (upload included)', cpuPerChunkMs.gateway, 'ms'),
        metric('postgres_cpu_per_chunk_ms', 'PostgreSQL CPU per chunk (upload included)', cpuPerChunkMs.postgres, 'ms'),
        metric('job_succeeded', 'openids blocked', job.succeeded, ''),
      ],
      details: {
        jobId: job.id,
        status: job.status,
        succeeded: job.succeeded,
        invalid: job.invalid,
        failed: job.failed,
        acceptedMs,
        cpuPerChunkMs,
        loadAverageAtEnd: loadavg().map((x) => round(x, 2)),
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
        ...(allocations ? { allocationsDuringJob: allocations } : {}),
        ...(sqlForTenChunks ? { sqlForTenChunkJob: summariseStatements(sqlForTenChunks) } : {}),
        ...(heapBefore && heapAfter
          ? {
              retainedHeapMB: { beforeJob: heapBefore.totalMB, afterJob: heapAfter.totalMB },
              retainedHeapTopAfterJob: heapAfter.top.slice(0, 12),
              retainedHeapGrowth: heapGrowth(heapBefore, heapAfter, 10),
            }
          : {}),
        memoryTimelineMB: timeline,
        maxSampledRssMB: round(maxRss / 2 ** 20, 1),
        peakRssMB: round(peakRss / 2 ** 20, 1),
      },
      notes,
    };
  },
};
