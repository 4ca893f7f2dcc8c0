// Over 300 lines: one scenario read top to bottom (setup, the calls' interleaved legs, per-process
// CPU accounting, the report); its parts only make sense together. The calls themselves are in
// lib/overhead-calls.ts.
import { cpuMs, cpuSplitMs, deliverTicket, newSecrets, syscallCounts } from '../lib/env';
import { expectStatus, request, sleep } from '../lib/http';
import { Inspector, summariseAllocations } from '../lib/inspector';
import { type LoadResult, percentile, round, runLoad } from '../lib/load';
import { type Leg, OVERHEAD_SIM_OPTIONS, type OverheadCall, overheadCalls } from '../lib/overhead-calls';
import { BLOCK_BATCH, BLOCK_CALL_GATEWAY_ENV } from '../lib/block-call';
import { monotonicMicros } from '../lib/profile';
import { database } from '../lib/project';
import { machine, metric, type Metric } from '../lib/report';
import type { Scenario } from '../lib/scenario';
import { followersOf, onboardTenant, storedAccessToken } from '../lib/tenants';

/** Targets every call shares: gateway throughput against the minimal proxy, CPU per call, added p99 at one connection. */
const MIN_PROXY_RATIO = 0.5;
const MAX_CPU_US = 200;
const MAX_ADDED_P99_MS = 5;

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
type Tput = { ok: number; seconds: number; latencies: number[]; rounds: number[]; cpu: Cpu };
const emptyTput = (): Tput => ({ ok: 0, seconds: 0, latencies: [], rounds: [], cpu: zeroCpu() });

/** ABBA: even rounds in the given order, odd rounds reversed, so drift on a shared machine hits every leg alike. */
const inOrder = <T>(xs: T[], round: number): T[] => (round % 2 === 0 ? [...xs] : [...xs].reverse());

/**
 * Three calls, each sent straight to the simulator where WeChat has it (`direct`), through a
 * minimal proxy (minimal-proxy.ts: the floor for any Node gateway) and through the gateway, in
 * alternating rounds (calls and legs in one order, then the reverse) so drift on a shared machine
 * hits every leg alike:
 * - `block`: 20 valid openids, warm tokens (batchblacklist direct);
 * - a proxied Official Account call, `POST …/wechat/cgi-bin/message/custom/send` (the proxy
 *   forwards the same bytes; direct: custom/send with the same token);
 * - `GET /v1/tenants/:id` (the proxy answers the same JSON from memory; no direct leg).
 *
 * - Throughput: closed loop, the same connections on every leg, for a fixed time per round.
 * - Latency: one connection, one request at a time, the same number of requests per leg: the time
 *   the gateway adds to a call when nothing queues (against WeChat direct; for GET, against the
 *   proxy). Latencies under saturation (where queueing, not the gateway's work, dominates) are kept
 *   in the details.
 */
export const overhead: Scenario = {
  name: 'overhead',
  title: 'gateway overhead on block, proxied custom/send and GET tenant calls vs a minimal proxy and WeChat direct',
  timeoutSeconds: 900,
  async run(ctx) {
    const q = ctx.options.quick;
    const cfg = {
      throughputRounds: q ? 2 : 4,
      throughputSeconds: q ? 2 : 6,
      connections: 16,
      latencyRounds: q ? 2 : 5,
      latencyRequestsPerRound: q ? 100 : 600,
      warmupSeconds: q ? 1 : 3,
      openidsPerBlockCall: BLOCK_BATCH,
      followers: 5000,
      // Request logging on, as in production (LOG_LEVEL's default: a line per request); other scenarios log at warn.
      gatewayEnv: { ...BLOCK_CALL_GATEWAY_ENV, LOG_LEVEL: 'info' },
    };
    const databaseUrl = await ctx.env.createDatabase('overhead');
    const appId = 'wxbenchoverhead1';
    const sim = await ctx.env.startSimulator('overhead-sim', OVERHEAD_SIM_OPTIONS);
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
    const tenantJson = (await expectStatus(200, 'GET', `${gw.url}/v1/tenants/${tenant.id}`, { key: tenant.apiKey })).text;
    const baseline = ctx.options.baseline ?? 'proxy';
    const proxy = await ctx.env.startMinimalProxy(`overhead-${baseline}`, sim, token, tenantJson, baseline);
    const calls = overheadCalls({ gw, sim, proxyUrl: proxy.url, tenant, token, openids });
    ctx.log(
      `tenant ${tenant.id} (${appId}) onboarded; ${openids.length} followers; gateway pid ${gw.pid}, proxy pid ${proxy.pid}`,
    );

    const check = (what: string, r: LoadResult) => {
      if (r.non2xx || r.errors || r.timeouts || r.mismatches) {
        throw new Error(
          `${what}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts, ${r.mismatches} unexpected bodies`,
        );
      }
    };
    for (const call of calls) {
      for (const leg of call.legs) {
        check(
          `${call.name} ${leg} leg`,
          await runLoad({ ...call.spec(leg), connections: cfg.connections, duration: cfg.warmupSeconds }),
        );
      }
    }

    // What one request of each call costs the database: every statement it runs (background work
    // such as the job queue's polling, if it falls in the window, is counted apart). First with the
    // gateway's per-process copies cold (after the warm-ups they have expired), then right after,
    // warm: the steady state of a busy tenant.
    const traced = (call: OverheadCall, n: number) =>
      ctx.env.traceSql(async () => {
        for (let i = 0; i < n; i++) {
          const one = call.spec('gateway');
          const r = await request(one.method ?? 'POST', one.url, {
            headers: one.headers,
            body: one.body ? JSON.parse(one.body()) : undefined,
          });
          if (r.status !== 200) throw new Error(`traced ${call.name} answered ${r.status}: ${r.text.slice(0, 200)}`);
        }
      });
    const isBackground = (sql: string) => /pgboss|webhook_deliveries|^(START TRANSACTION|COMMIT)$/i.test(sql.trim());
    // Ten in a row: the first may find the copies just expired (1 s), the rest find them warm.
    const WARM_TRACED = 10;
    const sql: Record<string, { cold: string[]; warm: string[]; background: number; perCall: number }> = {};
    for (const call of calls) {
      await sleep(1100);
      const cold = (await traced(call, 1)).filter((x) => !isBackground(x));
      const all = await traced(call, WARM_TRACED);
      const warm = all.filter((x) => !isBackground(x));
      sql[call.kind] = {
        cold,
        warm: [...new Set(warm)],
        background: round((all.length - warm.length) / WARM_TRACED, 1),
        perCall: round(warm.length / WARM_TRACED, 1),
      };
      ctx.log(
        `a ${call.name} request ran ${sql[call.kind].perCall} SQL statements on average over ${WARM_TRACED} (${cold.length} with cold copies)`,
      );
    }

    // Idle: what the gateway asks of the database with no traffic at all (job queue polling and the like).
    const idleSeconds = 5;
    const idleSql = await ctx.env.traceSql(() => sleep(idleSeconds * 1000));

    // Where the two cores go: CPU time of each process over the throughput rounds, per call and leg.
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
    const key = (call: OverheadCall, leg: Leg) => `${call.kind}/${leg}`;
    const tput = new Map<string, Tput>(calls.flatMap((c) => c.legs.map((l) => [key(c, l), emptyTput()] as const)));
    const inspector = inspectPort ? await Inspector.connect(inspectPort) : undefined;
    let allocations: ReturnType<typeof summariseAllocations> | undefined;
    for (let i = 0; i < cfg.throughputRounds; i++) {
      for (const call of inOrder(calls, i)) {
        for (const leg of inOrder(call.legs, i)) {
          await sim.control('DELETE', '/calls');
          const before = cpuNow();
          const from = monotonicMicros();
          const sampling = inspector && call.kind === 'block' && leg === 'gateway' && i === 0;
          if (sampling) {
            await inspector.send('HeapProfiler.startSampling', {
              samplingInterval: 16384,
              includeObjectsCollectedByMajorGC: true,
              includeObjectsCollectedByMinorGC: true,
            });
          }
          const r = await runLoad({ ...call.spec(leg), connections: cfg.connections, duration: cfg.throughputSeconds });
          if (sampling) {
            const { profile } = await inspector.send<{ profile: { head: Parameters<typeof summariseAllocations>[0] } }>(
              'HeapProfiler.stopSampling',
            );
            allocations = summariseAllocations(profile.head, 25);
            ctx.log(`allocated ${round((allocations.sampledMB * 2 ** 20) / r.ok / 1024, 1)} KB per block call (sampled)`);
          }
          if (leg === 'gateway') ctx.profileWindow(from, monotonicMicros());
          const after = cpuNow();
          check(`${call.name} ${leg} leg`, r);
          const t = tput.get(key(call, leg))!;
          for (const k of Object.keys(before) as (keyof Cpu)[]) t.cpu[k] += after[k] - before[k];
          t.ok += r.ok;
          t.seconds += r.seconds;
          t.rounds.push(round(r.rps, 0));
          for (const l of r.latencies) t.latencies.push(l);
          ctx.log(`throughput round ${i + 1} ${call.name.padEnd(19)} ${leg.padEnd(7)} ${round(r.rps, 0)} calls/s`);
        }
      }
    }
    inspector?.close();

    // Counted over the latency rounds, whose request counts are exact (a timed run cuts off the
    // requests still in flight when it stops, though WeChat did receive them).
    const usage = async (api: string) =>
      (await sim.control<Record<string, { used: number }>>('GET', `/quotas?appId=${appId}`))[api]?.used ?? 0;
    const usedAtStart: Record<string, number> = {};
    for (const call of calls) if (call.wechatApi) usedAtStart[call.kind] = await usage(call.wechatApi);
    const okCalls: Record<string, number> = {};
    const lat = new Map<string, number[]>(calls.flatMap((c) => c.legs.map((l) => [key(c, l), [] as number[]] as const)));
    for (let i = 0; i < cfg.latencyRounds; i++) {
      for (const call of inOrder(calls, i)) {
        for (const leg of inOrder(call.legs, i)) {
          await sim.control('DELETE', '/calls');
          const r = await runLoad({ ...call.spec(leg), connections: 1, amount: cfg.latencyRequestsPerRound });
          check(`${call.name} ${leg} leg`, r);
          if (call.wechatApi) okCalls[call.kind] = (okCalls[call.kind] ?? 0) + r.ok;
          for (const l of r.latencies) lat.get(key(call, leg))!.push(l);
          ctx.log(
            `latency round ${i + 1} ${call.name.padEnd(19)} ${leg.padEnd(7)} p50 ${round(percentile(r.latencies, 50))} ms p99 ${round(percentile(r.latencies, 99))} ms`,
          );
        }
      }
    }

    const metrics: Metric[] = [];
    const notes: string[] = [];
    const perCall: Record<string, unknown> = {};
    for (const call of calls) {
      // Block's labels predate the other calls; theirs name the call.
      const label = (base: string) => (call.kind === 'block' ? base : `${call.name}: ${base}`);
      const k = (name: string) => `${call.keyPrefix}${name}`;
      const t = (leg: Leg) => tput.get(key(call, leg))!;
      const rps = (leg: Leg) => t(leg).ok / t(leg).seconds;
      const p = (leg: Leg, q: number) => percentile(lat.get(key(call, leg))!, q);
      const hasDirect = call.legs.includes('direct');
      const base = call.latencyBaseline;
      const proxyRatio = rps('gateway') / rps('proxy');
      const added50 = p('gateway', 50) - p(base, 50);
      const added99 = p('gateway', 99) - p(base, 99);
      const cpuPerCall = (leg: Leg) => {
        const c = t(leg).cpu;
        const per = (ms: number) => round((ms * 1000) / t(leg).ok, 0);
        return {
          gateway: per(c.gateway),
          gatewayInKernel: per(c.gatewayKernel),
          proxy: per(c.proxy),
          postgres: per(c.postgres),
          simulator: per(c.simulator),
          loadGenerator: per(c.loadGenerator),
          gatewayPlusPostgres: per(c.gateway + c.postgres),
          // System calls per call of the gateway or proxy process (/proc/pid/io): socket reads and writes.
          readSyscalls: round((leg === 'proxy' ? c.proxyReads : c.gatewayReads) / t(leg).ok, 2),
          writeSyscalls: round((leg === 'proxy' ? c.proxyWrites : c.gatewayWrites) / t(leg).ok, 2),
          total: per(c.gateway + c.proxy + c.postgres + c.simulator + c.loadGenerator),
        };
      };
      const gwCpu = cpuPerCall('gateway');
      const proxyCpu = cpuPerCall('proxy');
      const directCpu = hasDirect ? cpuPerCall('direct') : undefined;
      const over = base === 'direct' ? '' : ' over the minimal proxy';
      metrics.push(
        metric(k('throughput_ratio_proxy'), label('throughput, gateway / minimal proxy'), round(proxyRatio, 3), '', {
          op: '>=',
          value: MIN_PROXY_RATIO,
        }),
        metric(
          k('gateway_postgres_cpu_us'),
          call.kind === 'block' ? 'gateway + PostgreSQL CPU per block call' : label('gateway + PostgreSQL CPU per call'),
          gwCpu.gatewayPlusPostgres,
          'µs',
          { op: '<=', value: MAX_CPU_US },
        ),
        ...(hasDirect
          ? [metric(k('throughput_ratio'), label('throughput, gateway / direct'), round(rps('gateway') / rps('direct'), 3), '')]
          : []),
        metric(k('added_latency_p50_ms'), label(`added latency p50${over} (1 connection)`), round(added50), 'ms'),
        metric(k('added_latency_p99_ms'), label(`added latency p99${over} (1 connection)`), round(added99), 'ms', {
          op: '<=',
          value: MAX_ADDED_P99_MS,
        }),
        metric(
          k('gateway_rps'),
          label(`gateway throughput (${cfg.connections} connections)`),
          round(rps('gateway'), 0),
          'calls/s',
        ),
        metric(
          k('proxy_rps'),
          label(`minimal proxy throughput (${cfg.connections} connections)`),
          round(rps('proxy'), 0),
          'calls/s',
        ),
        ...(hasDirect
          ? [
              metric(
                k('direct_rps'),
                label(`direct throughput (${cfg.connections} connections)`),
                round(rps('direct'), 0),
                'calls/s',
              ),
            ]
          : []),
      );
      // Share of one core the gateway process used during its throughput rounds (≈100%: its single thread is the bottleneck).
      const gatewayCoreUse = round((t('gateway').cpu.gateway / (t('gateway').seconds * 1000)) * 100, 0);
      for (const [leg, c] of [
        ['proxy', proxyCpu],
        ['gateway', gwCpu],
      ] as const) {
        ctx.log(
          `CPU per ${call.name} call, ${leg} leg: ${leg} ${leg === 'proxy' ? c.proxy : `${c.gateway} (kernel ${c.gatewayInKernel})`}, PostgreSQL ${c.postgres}, ` +
            `simulator ${c.simulator}, load generator ${c.loadGenerator}, all ${c.total} µs`,
        );
      }
      // On shared cores the throughput ratio follows this one (bench/README.md, "Latest results").
      ctx.log(`CPU per ${call.name} call, proxy leg / gateway leg: ${round(proxyCpu.total / gwCpu.total, 2)}`);
      const s = sql[call.kind];
      if (proxyRatio < MIN_PROXY_RATIO || gwCpu.gatewayPlusPostgres > MAX_CPU_US) {
        const cores = (us: number) => round((us * rps('gateway')) / 1e6, 2);
        notes.push(
          `${call.name}: a call through the gateway costs ${gwCpu.total} µs of CPU across the processes` +
            (directCpu ? ` against ${directCpu.total} µs direct (${round(gwCpu.total / directCpu.total, 1)}×)` : '') +
            ` and ${proxyCpu.total} µs through the minimal proxy (whose own process spends ${proxyCpu.proxy} µs; the cores are shared, so the ratio cannot exceed about ${round(proxyCpu.total / gwCpu.total, 2)} when CPU-bound). ` +
            `Per call: the gateway process ${gwCpu.gateway} µs (${gwCpu.gatewayInKernel} µs in the kernel, mostly socket writes), PostgreSQL ${gwCpu.postgres} µs, ` +
            `the simulator ${gwCpu.simulator} µs, the load generator ${gwCpu.loadGenerator} µs; at ${round(rps('gateway'), 0)} calls/s that is ${cores(gwCpu.gateway)} + ${cores(gwCpu.postgres)} + ` +
            `${cores(gwCpu.simulator)} + ${cores(gwCpu.loadGenerator)} cores of ${machine().cores}` +
            (gatewayCoreUse >= 85 ? ", with the gateway's single event loop saturated. " : '. ') +
            `A request runs ${s.perCall} SQL statements on average (${s.warm.map((x) => x.split(' ').slice(0, 4).join(' ')).join('; ') || 'none'}), ${s.cold.length} when the gateway's copies of the key, tenant and quota rows are cold.`,
        );
      }
      if (added99 > MAX_ADDED_P99_MS) {
        notes.push(
          `${call.name}: with one connection the gateway's p99 is ${round(p('gateway', 99))} ms against ${round(p(base, 99))} ms ${base === 'direct' ? 'direct' : 'through the minimal proxy'} ` +
            `(p50 ${round(p('gateway', 50))} vs ${round(p(base, 50))} ms), with ${s.perCall} PostgreSQL statement(s) per request on average; the tail follows the machine's scheduling noise.`,
        );
      }
      let wechatCalls: number | undefined;
      if (call.wechatApi) {
        // Every successful request reached WeChat exactly once (a gateway that answered from
        // somewhere else, or called twice, would show here).
        wechatCalls = (await usage(call.wechatApi)) - usedAtStart[call.kind];
        if (wechatCalls !== okCalls[call.kind]) {
          notes.push(
            `${call.name}: WeChat received ${wechatCalls} ${call.wechatApi} calls for ${okCalls[call.kind]} successful requests (expected equal).`,
          );
        }
      }
      const latencyOf = (leg: Leg) => ({
        p50: round(p(leg, 50)),
        p90: round(p(leg, 90)),
        p99: round(p(leg, 99)),
        max: round(p(leg, 100)),
      });
      perCall[call.kind] = {
        throughput: Object.fromEntries(
          call.legs.map((leg) => [
            leg,
            {
              rps: round(rps(leg), 1),
              roundsRps: t(leg).rounds,
              saturatedLatencyMs: { p50: round(percentile(t(leg).latencies, 50)), p99: round(percentile(t(leg).latencies, 99)) },
            },
          ]),
        ),
        // Per process (PostgreSQL: postmaster, backends and reaped children), over the throughput rounds of each leg.
        cpuMicrosecondsPerCall: Object.fromEntries(call.legs.map((leg) => [leg, cpuPerCall(leg)])),
        gatewayProcessCoreUsePercent: gatewayCoreUse,
        latencyMs: {
          samplesPerLeg: lat.get(key(call, 'gateway'))!.length,
          baseline: base,
          ...Object.fromEntries(call.legs.map((leg) => [leg, latencyOf(leg)])),
        },
        ...(call.wechatApi ? { latencyRoundsWechatCalls: wechatCalls, latencyRoundsSuccessfulRequests: okCalls[call.kind] } : {}),
        sqlPerRequest: {
          count: s.perCall,
          statements: s.warm.map((x) => x.slice(0, 200)),
          background: s.background,
          coldCount: s.cold.length,
          coldStatements: s.cold.map((x) => x.slice(0, 200)),
        },
      };
    }

    const idleByStatement: Record<string, number> = {};
    for (const x of idleSql) {
      const k = x.slice(0, 120);
      idleByStatement[k] = (idleByStatement[k] ?? 0) + 1;
    }
    return {
      setup: { ...cfg, calls: calls.map((c) => c.name), tenantsInDatabase: 1, gatewayProcesses: 1, baseline },
      metrics,
      details: {
        ...perCall,
        idleSqlStatementsPerSecond: round(idleSql.length / idleSeconds, 1),
        idleSqlStatements: idleByStatement,
        gatewayPeakRssMB: round(gw.peakRss() / 2 ** 20, 1),
        ...(allocations ? { allocationsInFirstGatewayBlockRound: allocations } : {}),
      },
      notes,
    };
  },
};
