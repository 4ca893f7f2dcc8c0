import { Client } from 'pg';
import { BENCH_METRICS_TOKEN, deliverTicket, newSecrets } from '../lib/env';
import { request, sleep } from '../lib/http';
import { openidWindows, percentile, round } from '../lib/load';
import { metric } from '../lib/report';
import type { Scenario } from '../lib/scenario';
import { followersOf, onboardTenant, type OnboardedTenant } from '../lib/tenants';

const SAMPLE_EVERY_MS = 30_000;
const TERMINAL = new Set(['succeeded', 'partially_failed', 'failed', 'cancelled']);

interface Sample {
  atSeconds: number;
  rssBytes: number;
  /** V8 heap in use (the gateway's /metrics, nodejs_heap_size_used_bytes): what a leak grows, where RSS also keeps freed pages. */
  heapUsedBytes: number;
  /** The gateway's connections to its database (pg_stat_activity), all and those not idle. */
  connections: number;
  activeConnections: number;
  byApplication: Record<string, number>;
  requests: number;
}

/**
 * One gateway under light mixed traffic for --minutes (default 30): block and unblock calls, GET
 * tenant, and a small blacklist job every minute, over 3 tenants. Every 30 s the gateway's RSS
 * and its database connections (pg_stat_activity: the pool is not exported in /metrics) are
 * sampled; growth is judged from the end of the warm-up (a quarter of the run, at most 5 min):
 * the median of the first 3 samples after it against that of the last 3.
 */
export const soak: Scenario = {
  name: 'soak',
  title: 'soak: one gateway, mixed traffic and jobs; RSS and database connections every 30 s',
  timeoutSeconds: 4 * 3600,
  async run(ctx) {
    const minutes = ctx.options.minutes ?? (ctx.options.quick ? 2 : 30);
    const durationMs = minutes * 60_000;
    const warmupMs = Math.min(
      5 * 60_000,
      Math.max(SAMPLE_EVERY_MS, Math.floor(durationMs / 4 / SAMPLE_EVERY_MS) * SAMPLE_EVERY_MS),
    );
    const cfg = {
      minutes,
      warmupSeconds: warmupMs / 1000,
      tenants: 3,
      workers: 2,
      openidsPerCall: 10,
      jobEverySeconds: 60,
      jobOpenids: 200,
    };
    const databaseUrl = await ctx.env.createDatabase('soak');
    const sim = await ctx.env.startSimulator('soak-sim', {
      dailyQuota: { 'tags/members/batchblacklist': 1_000_000_000, 'tags/members/batchunblacklist': 1_000_000_000 },
    });
    const secrets = newSecrets();
    const gw = await ctx.env.startGateway({
      label: 'soak-gateway',
      databaseUrl,
      sim,
      ...secrets,
      env: { BLACKLIST_CALLS_PER_SECOND_PER_TENANT: '1000' },
      cpuProfileDir: ctx.profileDir,
    });
    await deliverTicket(sim, gw);
    const tenants: OnboardedTenant[] = [];
    const followers = new Map<string, string[]>();
    for (let i = 0; i < cfg.tenants; i++) {
      const t = await onboardTenant(gw, sim, secrets.operatorKey, {
        name: `Soak Shop ${i}`,
        appId: `wxbenchsoak${i}`,
        followerCount: 2000,
      });
      tenants.push(t);
      followers.set(t.id, await followersOf(sim, t.appId));
    }
    const windows = new Map(tenants.map((t) => [t.id, openidWindows(followers.get(t.id)!, cfg.openidsPerCall)]));

    const db = new Client({ connectionString: databaseUrl, application_name: 'bench-soak-sampler' });
    await db.connect();
    ctx.env.onClose(() => db.end());
    const dbName = new URL(databaseUrl).pathname.slice(1);

    const statuses: Record<string, number> = {};
    const latencies: number[] = [];
    let requests = 0;
    let stop = false;
    const count = (s: number | string) => (statuses[s] = (statuses[s] ?? 0) + 1);
    const worker = async () => {
      while (!stop) {
        const t = tenants[Math.floor(Math.random() * tenants.length)];
        const r = Math.random();
        const started = performance.now();
        const reply =
          r < 0.4
            ? request('GET', `${gw.url}/v1/tenants/${t.id}`, { key: t.apiKey })
            : request('POST', `${gw.url}/v1/tenants/${t.id}/blacklist/${r < 0.7 ? 'block' : 'unblock'}`, {
                key: t.apiKey,
                body: { openids: windows.get(t.id)!() },
              });
        await reply.then(
          (x) => {
            count(x.status);
            if (x.status < 300) latencies.push(performance.now() - started);
          },
          () => count('error'),
        );
        requests++;
        await sleep(50);
      }
    };
    const jobs = { submitted: 0, succeeded: 0, other: {} as Record<string, number> };
    const jobLoop = async () => {
      let k = 0;
      while (!stop) {
        const t = tenants[k % tenants.length];
        const openids = followers.get(t.id)!.slice(1000, 1000 + cfg.jobOpenids);
        const created = await request<{ id: string }>('POST', `${gw.url}/v1/tenants/${t.id}/blacklist/jobs`, {
          key: t.apiKey,
          body: { action: k++ % 2 ? 'unblock' : 'block', openids },
        });
        if (created.status === 202) {
          jobs.submitted++;
          for (let i = 0; i < 600 && !stop; i++) {
            await sleep(500);
            const j = await request<{ status: string }>('GET', `${gw.url}/v1/tenants/${t.id}/blacklist/jobs/${created.json.id}`, {
              key: t.apiKey,
            });
            if (TERMINAL.has(j.json?.status)) {
              if (j.json.status === 'succeeded') jobs.succeeded++;
              else jobs.other[j.json.status] = (jobs.other[j.json.status] ?? 0) + 1;
              break;
            }
          }
        } else jobs.other[`http ${created.status}`] = (jobs.other[`http ${created.status}`] ?? 0) + 1;
        for (let waited = 0; waited < cfg.jobEverySeconds * 1000 && !stop; waited += 500) await sleep(500);
      }
    };

    const samples: Sample[] = [];
    const t0 = Date.now();
    const sample = async () => {
      const { rows } = await db.query<{ app: string; state: string | null; n: string }>(
        `SELECT coalesce(nullif(application_name, ''), '(unnamed)') AS app, state, count(*) AS n FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid() GROUP BY 1, 2`,
        [dbName],
      );
      const byApplication: Record<string, number> = {};
      let connections = 0;
      let active = 0;
      for (const r of rows) {
        byApplication[r.app] = (byApplication[r.app] ?? 0) + Number(r.n);
        connections += Number(r.n);
        if (r.state && r.state !== 'idle') active += Number(r.n);
      }
      const metricsText = await request('GET', `${gw.url}/metrics`, { key: BENCH_METRICS_TOKEN }).then(
        (r) => r.text,
        () => '',
      );
      const heapUsed = Number(/^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?)/m.exec(metricsText)?.[1] ?? NaN);
      const s = {
        atSeconds: Math.round((Date.now() - t0) / 1000),
        rssBytes: gw.rss(),
        heapUsedBytes: heapUsed,
        connections,
        activeConnections: active,
        byApplication,
        requests,
      };
      samples.push(s);
      ctx.log(
        `t=${s.atSeconds}s rss ${round(s.rssBytes / 2 ** 20, 1)} MiB, heap used ${round(s.heapUsedBytes / 2 ** 20, 1)} MiB, db connections ${connections} (${active} busy), ${requests} requests`,
      );
    };
    const running = [...Array.from({ length: cfg.workers }, worker), jobLoop()];
    await sample();
    while (Date.now() - t0 < durationMs) {
      await sleep(Math.min(SAMPLE_EVERY_MS, durationMs - (Date.now() - t0)) || 1);
      await sample();
    }
    stop = true;
    await Promise.all(running);

    // RSS moves by tens of MB with each GC: each end is the median of 3 samples, not one.
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const fromIndex = samples.findIndex((s) => s.atSeconds * 1000 >= warmupMs);
    const after = samples.slice(fromIndex === -1 ? samples.length - 1 : fromIndex);
    const head = after.slice(0, 3);
    const tail = after.slice(-3);
    const growth = (pick: (s: Sample) => number) => {
      const a = median(head.map(pick));
      return { from: a, to: median(tail.map(pick)), pct: ((median(tail.map(pick)) - a) / Math.max(1, a)) * 100 };
    };
    const rss = growth((s) => s.rssBytes);
    const heap = growth((s) => s.heapUsedBytes);
    const conns = growth((s) => s.connections);
    const rssGrowth = rss.pct;
    const connGrowth = conns.pct;
    const notes: string[] = [];
    const bad = Object.entries(statuses).filter(([s]) => s === 'error' || Number(s) >= 300);
    if (bad.length) notes.push(`Non-2xx replies: ${JSON.stringify(Object.fromEntries(bad))}.`);
    if (minutes < 30)
      notes.push(`A ${minutes}-minute run (the issue's soak is 30): a wiring check, growth over so short a window says little.`);
    return {
      setup: cfg,
      metrics: [
        metric('rss_growth', 'gateway RSS growth after warm-up', round(rssGrowth, 1), '%', { op: '<=', value: 10 }),
        metric('db_connections_growth', 'gateway database connections growth after warm-up', round(connGrowth, 1), '%', {
          op: '<=',
          value: 10,
        }),
        metric('heap_used_growth', 'gateway V8 heap in use, growth after warm-up', round(heap.pct, 1), '%'),
        metric('requests', 'API requests', requests, ''),
        metric('p99', 'API reply p99', round(percentile(latencies, 99), 1), 'ms'),
      ],
      details: {
        statuses,
        jobs,
        rssAfterWarmupMiB: round(rss.from / 2 ** 20, 1),
        rssAtEndMiB: round(rss.to / 2 ** 20, 1),
        heapUsedAfterWarmupMiB: round(heap.from / 2 ** 20, 1),
        heapUsedAtEndMiB: round(heap.to / 2 ** 20, 1),
        connectionsAfterWarmup: conns.from,
        connectionsAtEnd: conns.to,
        maxConnectionsAfterWarmup: Math.max(...after.map((s) => s.connections)),
        peakRssMiB: round(gw.peakRss() / 2 ** 20, 1),
        samples,
      },
      notes,
    };
  },
};
