// Over 300 lines: one scenario read top to bottom (setup, three interleaved legs, per-process CPU
// accounting, the report); its parts only make sense together.
import { allBlocked, BLOCK_BATCH, BLOCK_CALL_GATEWAY_ENV, BLOCK_CALL_SIM_OPTIONS } from '../lib/block-call';
import { cpuMs, cpuSplitMs, deliverTicket, newSecrets, syscallCounts } from '../lib/env';
import { Inspector, summariseAllocations } from '../lib/inspector';
import { database } from '../lib/project';
import { request, sleep } from '../lib/http';
import { type LoadResult, type LoadSpec, openidWindows, percentile, round, runLoad } from '../lib/load';
import { monotonicMicros } from '../lib/profile';
import { machine, metric } from '../lib/report';
import type { Scenario } from '../lib/scenario';
import { followersOf, onboardTenant, storedAccessToken } from '../lib/tenants';

type Leg = 'direct' | 'proxy' | 'gateway';
const LEGS: Leg[] = ['direct', 'proxy', 'gateway'];

/**
 * The same `block` calls (20 valid openids, warm tokens) sent straight to the simulator's
 * batchblacklist, through a minimal pass-through proxy (minimal-proxy.ts: the floor for any Node
 * gateway) and through the gateway, in alternating rounds (ABC, CBA) so drift on a shared
 * machine hits every leg alike.
 *
 * - Throughput: closed loop, the same connections on both legs, for a fixed time per round.
 * - Latency: one connection, one request at a time, the same number of requests per leg: the time
 *   the gateway adds to a call when nothing queues. Latencies under saturation (where queueing,
 *   not the gateway's work, dominates) are kept in the details.
 */
export const overhead: Scenario = {
  name: 'overhead',
  title: 'gateway overhead on block calls vs calling batchblacklist directly',
  timeoutSeconds: 420,
  async run(ctx) {
    const q = ctx.options.quick;
    const cfg = {
      throughputRounds: q ? 2 : 4,
      throughputSeconds: q ? 2 : 6,
      connections: 16,
      latencyRounds: q ? 2 : 5,
      latencyRequestsPerRound: q ? 100 : 600,
      warmupSeconds: q ? 1 : 3,
      openidsPerCall: BLOCK_BATCH,
      followers: 5000,
      gatewayEnv: BLOCK_CALL_GATEWAY_ENV,
    };
    const databaseUrl = await ctx.env.createDatabase('overhead');
    const appId = 'wxbenchoverhead1';
    const sim = await ctx.env.startSimulator('overhead-sim', BLOCK_CALL_SIM_OPTIONS);
    const secrets = newSecrets();
    // Profile runs: who allocates per block call (the garbage collector's work follows it).
    const inspectPort = ctx.profileDir ? await database().findFreePort() : undefined;
    const gw = await ctx.env.startGateway({
      inspectPort,
      label: 'overhead-gateway',
      databaseUrl,
      sim,
      ...secrets,
      env: cfg.gatewayEnv,
      cpuProfileDir: ctx.profileDir,
    });
    await deliverTicket(sim, gw);
    const tenant = await onboardTenant(gw, sim, secrets.operatorKey, {
      name: 'Overhead Coffee',
      appId,
      followerCount: cfg.followers,
    });
    const openids = await followersOf(sim, appId);
    const token = await storedAccessToken(databaseUrl, secrets.secretsKey, tenant.id);
    const proxy = await ctx.env.startMinimalProxy('overhead-proxy', sim, token);
    ctx.log(
      `tenant ${tenant.id} (${appId}) onboarded; ${openids.length} followers; gateway pid ${gw.pid}, proxy pid ${proxy.pid}`,
    );

    const nextDirect = openidWindows(openids, BLOCK_BATCH);
    const nextGateway = openidWindows(openids, BLOCK_BATCH);
    const nextProxy = openidWindows(openids, BLOCK_BATCH);
    const spec = (leg: Leg): Omit<LoadSpec, 'connections'> =>
      leg === 'direct'
        ? {
            url: `${sim.url}/cgi-bin/tags/members/batchblacklist?access_token=${encodeURIComponent(token)}`,
            body: () => JSON.stringify({ openid_list: nextDirect() }),
            verify: (b) => b.startsWith('{"errcode":0,'),
          }
        : leg === 'proxy'
          ? {
              url: `${proxy.url}/block`,
              body: () => JSON.stringify({ openids: nextProxy() }),
              verify: allBlocked,
            }
          : {
              url: `${gw.url}/v1/tenants/${tenant.id}/blacklist/block`,
              headers: { authorization: `Bearer ${tenant.apiKey}` },
              body: () => JSON.stringify({ openids: nextGateway() }),
              verify: allBlocked,
            };

    const usage = async () =>
      (await sim.control<Record<string, { used: number }>>('GET', `/quotas?appId=${appId}`))['tags/members/batchblacklist'].used;
    const check = (leg: Leg, r: LoadResult) => {
      if (r.non2xx || r.errors || r.timeouts || r.mismatches) {
        throw new Error(
          `${leg} leg: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts, ${r.mismatches} unexpected bodies`,
        );
      }
    };
    const order = (i: number): Leg[] => (i % 2 === 0 ? [...LEGS] : [...LEGS].reverse());
    for (const leg of LEGS) {
      check(leg, await runLoad({ ...spec(leg), connections: cfg.connections, duration: cfg.warmupSeconds }));
    }

    // What one block request costs the database: every statement it runs (background work such
    // as the job queue's polling, if it falls in the window, is counted apart). First with the
    // gateway's per-process copies cold (after the warm-ups of the other legs they have expired),
    // then right after, warm: the steady state of a busy tenant.
    const tracedBlocks = (n: number) =>
      ctx.env.traceSql(async () => {
        for (let i = 0; i < n; i++) {
          const one = spec('gateway');
          const r = await request('POST', one.url, { headers: one.headers, body: JSON.parse(one.body!()) });
          if (r.status !== 200) throw new Error(`traced block answered ${r.status}: ${r.text.slice(0, 200)}`);
        }
      });
    const isBackground = (sql: string) => /pgboss|webhook_deliveries|^(START TRANSACTION|COMMIT)$/i.test(sql.trim());
    const sqlPerColdBlock = (await tracedBlocks(1)).filter((x) => !isBackground(x));
    // Ten in a row: the first may find the copies just expired (1 s), the rest find them warm.
    const WARM_TRACED = 10;
    const traced = await tracedBlocks(WARM_TRACED);
    const warmStatements = traced.filter((x) => !isBackground(x));
    const sqlPerBlock = [...new Set(warmStatements)];
    const statementsPerWarmBlock = round(warmStatements.length / WARM_TRACED, 1);
    ctx.log(
      `a block request ran ${statementsPerWarmBlock} SQL statements on average over ${WARM_TRACED} (${sqlPerColdBlock.length} with cold copies)`,
    );

    // Idle: what the gateway asks of the database with no traffic at all (job queue polling and the like).
    const idleSeconds = 5;
    const idleSql = await ctx.env.traceSql(() => sleep(idleSeconds * 1000));

    // Where the two cores go: CPU time of each process over the throughput rounds, per leg.
    type Cpu = {
      gateway: number;
      gatewayKernel: number;
      proxy: number;
      postgres: number;
      simulator: number;
      loadGenerator: number;
      gatewayReads: number;
      gatewayWrites: number;
      proxyReads: number;
      proxyWrites: number;
    };
    const zeroCpu = (): Cpu => ({
      gateway: 0,
      gatewayKernel: 0,
      proxy: 0,
      postgres: 0,
      simulator: 0,
      loadGenerator: 0,
      gatewayReads: 0,
      gatewayWrites: 0,
      proxyReads: 0,
      proxyWrites: 0,
    });
    const cpuNow = (): Cpu => {
      const own = process.cpuUsage();
      const g = cpuSplitMs(gw.pid);
      const gSys = syscallCounts(gw.pid);
      const pSys = syscallCounts(proxy.pid);
      return {
        gatewayReads: gSys.reads,
        gatewayWrites: gSys.writes,
        proxyReads: pSys.reads,
        proxyWrites: pSys.writes,
        gateway: g.user + g.system,
        gatewayKernel: g.system,
        proxy: cpuMs(proxy.pid),
        postgres: ctx.env.postgresCpuMs(),
        simulator: cpuMs(sim.pid),
        loadGenerator: (own.user + own.system) / 1000,
      };
    };
    type Tput = { ok: number; seconds: number; latencies: number[]; rounds: number[]; cpu: Cpu };
    const emptyTput = (): Tput => ({ ok: 0, seconds: 0, latencies: [], rounds: [], cpu: zeroCpu() });
    const tput: Record<Leg, Tput> = { direct: emptyTput(), proxy: emptyTput(), gateway: emptyTput() };
    const inspector = inspectPort ? await Inspector.connect(inspectPort) : undefined;
    let allocations: ReturnType<typeof summariseAllocations> | undefined;
    for (let i = 0; i < cfg.throughputRounds; i++) {
      for (const leg of order(i)) {
        await sim.control('DELETE', '/calls');
        const before = cpuNow();
        const from = monotonicMicros();
        const sampling = inspector && leg === 'gateway' && i === 0;
        if (sampling) {
          await inspector.send('HeapProfiler.startSampling', {
            samplingInterval: 16384,
            includeObjectsCollectedByMajorGC: true,
            includeObjectsCollectedByMinorGC: true,
          });
        }
        const r = await runLoad({ ...spec(leg), connections: cfg.connections, duration: cfg.throughputSeconds });
        if (sampling) {
          const { profile } = await inspector.send<{ profile: { head: Parameters<typeof summariseAllocations>[0] } }>(
            'HeapProfiler.stopSampling',
          );
          allocations = summariseAllocations(profile.head, 25);
          ctx.log(`allocated ${round((allocations.sampledMB * 2 ** 20) / r.ok / 1024, 1)} KB per block call (sampled)`);
        }
        if (leg === 'gateway') ctx.profileWindow(from, monotonicMicros());
        const after = cpuNow();
        check(leg, r);
        for (const k of Object.keys(before) as (keyof Cpu)[]) tput[leg].cpu[k] += after[k] - before[k];
        tput[leg].ok += r.ok;
        tput[leg].seconds += r.seconds;
        tput[leg].rounds.push(round(r.rps, 0));
        for (const l of r.latencies) tput[leg].latencies.push(l);
        ctx.log(`throughput round ${i + 1} ${leg.padEnd(7)} ${round(r.rps, 0)} calls/s`);
      }
    }

    inspector?.close();

    // Counted over the latency rounds, whose request counts are exact (a timed run cuts off the
    // requests still in flight when it stops, though WeChat did receive them).
    const usedAtStart = await usage();
    let okCalls = 0;
    const lat: Record<Leg, number[]> = { direct: [], proxy: [], gateway: [] };
    for (let i = 0; i < cfg.latencyRounds; i++) {
      for (const leg of order(i)) {
        await sim.control('DELETE', '/calls');
        const r = await runLoad({ ...spec(leg), connections: 1, amount: cfg.latencyRequestsPerRound });
        check(leg, r);
        okCalls += r.ok;
        for (const l of r.latencies) lat[leg].push(l);
        ctx.log(
          `latency round ${i + 1} ${leg.padEnd(7)} p50 ${round(percentile(r.latencies, 50))} ms p99 ${round(percentile(r.latencies, 99))} ms`,
        );
      }
    }

    // Every successful request reached WeChat exactly once (a gateway that answered from
    // somewhere else, or called twice, would show here).
    const wechatCalls = (await usage()) - usedAtStart;
    const peakRss = gw.peakRss();
    const rps = {
      direct: tput.direct.ok / tput.direct.seconds,
      proxy: tput.proxy.ok / tput.proxy.seconds,
      gateway: tput.gateway.ok / tput.gateway.seconds,
    };
    const p = (leg: Leg, q: number) => percentile(lat[leg], q);
    const ratio = rps.gateway / rps.direct;
    const proxyRatio = rps.gateway / rps.proxy;
    const added50 = p('gateway', 50) - p('direct', 50);
    const added99 = p('gateway', 99) - p('direct', 99);

    const metrics = [
      metric('throughput_ratio_proxy', 'throughput, gateway / minimal proxy', round(proxyRatio, 3), '', { op: '>=', value: 0.5 }),
      metric('throughput_ratio', 'throughput, gateway / direct', round(ratio, 3), ''),
      metric('added_latency_p50_ms', 'added latency p50 (1 connection)', round(added50), 'ms'),
      metric('added_latency_p99_ms', 'added latency p99 (1 connection)', round(added99), 'ms', { op: '<=', value: 5 }),
      metric('gateway_rps', `gateway throughput (${cfg.connections} connections)`, round(rps.gateway, 0), 'calls/s'),
      metric('proxy_rps', `minimal proxy throughput (${cfg.connections} connections)`, round(rps.proxy, 0), 'calls/s'),
      metric('direct_rps', `direct throughput (${cfg.connections} connections)`, round(rps.direct, 0), 'calls/s'),
    ];
    const cpuPerCall = (leg: Leg) => {
      const c = tput[leg].cpu;
      const per = (ms: number) => round((ms * 1000) / tput[leg].ok, 0);
      return {
        gateway: per(c.gateway),
        gatewayInKernel: per(c.gatewayKernel),
        proxy: per(c.proxy),
        postgres: per(c.postgres),
        simulator: per(c.simulator),
        loadGenerator: per(c.loadGenerator),
        gatewayPlusPostgres: per(c.gateway + c.postgres),
        // System calls per call of the gateway or proxy process (/proc/pid/io): socket reads and writes.
        readSyscalls: round((leg === 'proxy' ? c.proxyReads : c.gatewayReads) / tput[leg].ok, 2),
        writeSyscalls: round((leg === 'proxy' ? c.proxyWrites : c.gatewayWrites) / tput[leg].ok, 2),
        total: per(c.gateway + c.proxy + c.postgres + c.simulator + c.loadGenerator),
      };
    };
    const idleByStatement: Record<string, number> = {};
    for (const x of idleSql) {
      const k = x.slice(0, 120);
      idleByStatement[k] = (idleByStatement[k] ?? 0) + 1;
    }
    const gwCpu = cpuPerCall('gateway');
    const directCpu = cpuPerCall('direct');
    const proxyCpu = cpuPerCall('proxy');
    metrics.splice(
      1,
      0,
      metric('gateway_postgres_cpu_us', 'gateway + PostgreSQL CPU per block call', gwCpu.gatewayPlusPostgres, 'µs', {
        op: '<=',
        value: 300,
      }),
    );
    // Share of one core the gateway process used during its throughput rounds (≈100%: its single thread is the bottleneck).
    const gatewayCoreUse = round((tput.gateway.cpu.gateway / (tput.gateway.seconds * 1000)) * 100, 0);
    for (const [leg, c] of [
      ['proxy', proxyCpu],
      ['gateway', gwCpu],
    ] as const) {
      ctx.log(
        `CPU per call, ${leg} leg: ${leg} ${leg === 'proxy' ? c.proxy : `${c.gateway} (kernel ${c.gatewayInKernel})`}, PostgreSQL ${c.postgres}, ` +
          `simulator ${c.simulator}, load generator ${c.loadGenerator}, all ${c.total} µs`,
      );
    }
    // On shared cores the throughput ratio follows this one (bench/README.md, "Latest results").
    ctx.log(`CPU per call, proxy leg / gateway leg: ${round(proxyCpu.total / gwCpu.total, 2)}`);
    const notes: string[] = [];
    if (proxyRatio < 0.5) {
      const cores = (us: number) => round((us * rps.gateway) / 1e6, 2);
      notes.push(
        `Throughput: a call through the gateway costs ${gwCpu.total} µs of CPU across the processes against ${directCpu.total} µs direct ` +
          `(${round(gwCpu.total / directCpu.total, 0)}×) and ${proxyCpu.total} µs through the minimal proxy (whose own process spends ${proxyCpu.proxy} µs; the cores are shared, so the ratio cannot exceed about ${round(directCpu.total / gwCpu.total, 2)} when CPU-bound). ` +
          `Per call: the gateway process ${gwCpu.gateway} µs (${gwCpu.gatewayInKernel} µs in the kernel, mostly socket writes), PostgreSQL ${gwCpu.postgres} µs, ` +
          `the simulator ${gwCpu.simulator} µs, the load generator ${gwCpu.loadGenerator} µs; at ${round(rps.gateway, 0)} calls/s that is ${cores(gwCpu.gateway)} + ${cores(gwCpu.postgres)} + ` +
          `${cores(gwCpu.simulator)} + ${cores(gwCpu.loadGenerator)} cores of ${machine().cores}` +
          (gatewayCoreUse >= 85 ? ", with the gateway's single event loop saturated. " : '. ') +
          `A block request runs ${statementsPerWarmBlock} SQL statements on average (${sqlPerBlock.map((x) => x.split(' ').slice(0, 4).join(' ')).join('; ')}), ${sqlPerColdBlock.length} when the gateway's copies of the key, tenant and quota rows are cold.`,
      );
    }
    if (added99 > 5) {
      notes.push(
        `Latency: with one connection the gateway's p99 is ${round(p('gateway', 99))} ms against ${round(p('direct', 99))} ms direct (p50 ${round(p('gateway', 50))} vs ${round(p('direct', 50))} ms): ` +
          `${statementsPerWarmBlock} PostgreSQL round trip(s) on average (the audit INSERT, committed before the reply) plus the WeChat call per request; the tail follows the machine's scheduling noise.`,
      );
    }
    if (wechatCalls !== okCalls) {
      notes.push(`WeChat received ${wechatCalls} batchblacklist calls for ${okCalls} successful requests (expected equal).`);
    }
    return {
      setup: { ...cfg, tenantsInDatabase: 1, gatewayProcesses: 1 },
      metrics,
      details: {
        throughput: {
          directRps: round(rps.direct, 1),
          proxyRps: round(rps.proxy, 1),
          gatewayRps: round(rps.gateway, 1),
          directRoundsRps: tput.direct.rounds,
          proxyRoundsRps: tput.proxy.rounds,
          gatewayRoundsRps: tput.gateway.rounds,
          saturatedLatencyMs: {
            direct: { p50: round(percentile(tput.direct.latencies, 50)), p99: round(percentile(tput.direct.latencies, 99)) },
            proxy: { p50: round(percentile(tput.proxy.latencies, 50)), p99: round(percentile(tput.proxy.latencies, 99)) },
            gateway: { p50: round(percentile(tput.gateway.latencies, 50)), p99: round(percentile(tput.gateway.latencies, 99)) },
          },
        },
        // Per process (PostgreSQL: postmaster, backends and reaped children), over the throughput rounds of each leg.
        cpuMicrosecondsPerCall: { direct: directCpu, proxy: proxyCpu, gateway: gwCpu },
        gatewayProcessCoreUsePercent: gatewayCoreUse,
        latencyMs: {
          samplesPerLeg: lat.direct.length,
          proxy: { p50: round(p('proxy', 50)), p99: round(p('proxy', 99)) },
          direct: {
            p50: round(p('direct', 50)),
            p90: round(p('direct', 90)),
            p99: round(p('direct', 99)),
            max: round(p('direct', 100)),
          },
          gateway: {
            p50: round(p('gateway', 50)),
            p90: round(p('gateway', 90)),
            p99: round(p('gateway', 99)),
            max: round(p('gateway', 100)),
          },
        },
        latencyRoundsWechatCalls: wechatCalls,
        latencyRoundsSuccessfulRequests: okCalls,
        idleSqlStatementsPerSecond: round(idleSql.length / idleSeconds, 1),
        idleSqlStatements: idleByStatement,
        sqlPerBlockRequest: {
          count: statementsPerWarmBlock,
          statements: sqlPerBlock.map((x) => x.slice(0, 200)),
          background: round((traced.length - warmStatements.length) / WARM_TRACED, 1),
          coldCount: sqlPerColdBlock.length,
          coldStatements: sqlPerColdBlock.map((x) => x.slice(0, 200)),
        },
        gatewayPeakRssMB: round(peakRss / 2 ** 20, 1),
        ...(allocations ? { allocationsInFirstGatewayRound: allocations } : {}),
      },
      notes,
    };
  },
};
