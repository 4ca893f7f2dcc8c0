import { isAbsolute, resolve } from 'node:path';
import { allBlocked, BLOCK_BATCH, BLOCK_CALL_GATEWAY_ENV, BLOCK_CALL_SIM_OPTIONS } from '../lib/block-call';
import { cpuMs, deliverTicket, type Gateway, newSecrets } from '../lib/env';
import { type LoadResult, type LoadSpec, openidWindows, percentile, round, runLoad } from '../lib/load';
import { metric } from '../lib/report';
import type { Scenario } from '../lib/scenario';
import { followersOf, onboardTenant } from '../lib/tenants';

type Side = 'this' | 'other';

/**
 * Two gateway builds side by side on the overhead scenario's `block` call (20 valid openids, warm
 * tokens, the same tenant, simulator and database), in alternating rounds (AB, BA, ...): a lever
 * measured against the build without it in one run, so the machine's drift (which moved whole
 * overhead runs by ±15 % on a noisy machine) hits both alike. `--against=<dist>` names the other
 * build's output directory (see bench/README.md, "Running"); both must share the database schema. An
 * experiment: its result is written beside the others as a .tmp file, never into the table.
 */
export const ab: Scenario = {
  name: 'ab',
  title: 'two gateway builds on block calls, in alternating rounds (--against=<dist of the other build>)',
  timeoutSeconds: 900,
  experiment: true,
  async run(ctx) {
    const against = ctx.options.against;
    if (!against) throw new Error('ab compares this build with another: give --against=<that build’s dist directory>');
    const q = ctx.options.quick;
    const cfg = {
      against: isAbsolute(against) ? against : resolve(against),
      rounds: q ? 2 : 8,
      roundSeconds: q ? 2 : 5,
      connections: 16,
      latencyRounds: q ? 2 : 6,
      latencyRequestsPerRound: q ? 100 : 500,
      warmupSeconds: q ? 1 : 3,
      openidsPerCall: BLOCK_BATCH,
      followers: 5000,
      gatewayEnv: BLOCK_CALL_GATEWAY_ENV,
    };
    const databaseUrl = await ctx.env.createDatabase('ab');
    const appId = 'wxbenchab0000001';
    const sim = await ctx.env.startSimulator('ab-sim', BLOCK_CALL_SIM_OPTIONS);
    const secrets = newSecrets();
    const base = { databaseUrl, sim, ...secrets, env: cfg.gatewayEnv };
    const gw: Record<Side, Gateway> = {
      this: await ctx.env.startGateway({ ...base, label: 'ab-this' }),
      // Started second, so this build's migrations have run; the other finds them applied.
      other: await ctx.env.startGateway({ ...base, label: 'ab-other', dist: cfg.against }),
    };
    await deliverTicket(sim, gw.this);
    await deliverTicket(sim, gw.other);
    const tenant = await onboardTenant(gw.this, sim, secrets.operatorKey, {
      name: 'AB Coffee',
      appId,
      followerCount: cfg.followers,
    });
    const openids = await followersOf(sim, appId);
    ctx.log(`this build: pid ${gw.this.pid}; the other (${cfg.against}): pid ${gw.other.pid}`);

    const windows = { this: openidWindows(openids, BLOCK_BATCH), other: openidWindows(openids, BLOCK_BATCH) };
    const spec = (side: Side): Omit<LoadSpec, 'connections'> => ({
      url: `${gw[side].url}/v1/tenants/${tenant.id}/blacklist/block`,
      headers: { authorization: `Bearer ${tenant.apiKey}` },
      body: () => JSON.stringify({ openids: windows[side]() }),
      verify: allBlocked,
    });
    const check = (side: Side, r: LoadResult) => {
      if (r.non2xx || r.errors || r.timeouts || r.mismatches) {
        throw new Error(
          `${side}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts, ${r.mismatches} unexpected bodies`,
        );
      }
    };
    const order = (i: number): Side[] => (i % 2 === 0 ? ['this', 'other'] : ['other', 'this']);
    for (const side of order(0)) {
      check(side, await runLoad({ ...spec(side), connections: cfg.connections, duration: cfg.warmupSeconds }));
    }

    // CPU per call of everything a block call runs on (the two cores are shared): the build's own
    // process, PostgreSQL, the simulator and the load generator (this process).
    const cpuNow = (side: Side) => {
      const own = process.cpuUsage();
      return {
        gateway: cpuMs(gw[side].pid),
        postgres: ctx.env.postgresCpuMs(),
        simulator: cpuMs(sim.pid),
        loadGenerator: (own.user + own.system) / 1000,
      };
    };
    type Cpu = ReturnType<typeof cpuNow>;
    const zero = (): Cpu => ({ gateway: 0, postgres: 0, simulator: 0, loadGenerator: 0 });
    const tput = {
      this: { ok: 0, seconds: 0, rounds: [] as number[], cpu: zero() },
      other: { ok: 0, seconds: 0, rounds: [] as number[], cpu: zero() },
    };
    for (let i = 0; i < cfg.rounds; i++) {
      for (const side of order(i)) {
        const before = cpuNow(side);
        const r = await runLoad({ ...spec(side), connections: cfg.connections, duration: cfg.roundSeconds });
        const after = cpuNow(side);
        check(side, r);
        for (const k of Object.keys(before) as (keyof Cpu)[]) tput[side].cpu[k] += after[k] - before[k];
        tput[side].ok += r.ok;
        tput[side].seconds += r.seconds;
        tput[side].rounds.push(r.rps);
        ctx.log(`throughput round ${i + 1} ${side.padEnd(5)} ${round(r.rps, 0)} calls/s`);
      }
    }
    const lat: Record<Side, number[]> = { this: [], other: [] };
    for (let i = 0; i < cfg.latencyRounds; i++) {
      for (const side of order(i)) {
        const r = await runLoad({ ...spec(side), connections: 1, amount: cfg.latencyRequestsPerRound });
        check(side, r);
        lat[side].push(...r.latencies);
      }
    }

    const rps = (side: Side) => tput[side].ok / tput[side].seconds;
    const per = (side: Side, ms: number) => round((ms * 1000) / tput[side].ok, 0);
    const cpu = (side: Side) => {
      const c = tput[side].cpu;
      return {
        gateway: per(side, c.gateway),
        postgres: per(side, c.postgres),
        simulator: per(side, c.simulator),
        loadGenerator: per(side, c.loadGenerator),
        gatewayPlusPostgres: per(side, c.gateway + c.postgres),
        total: per(side, c.gateway + c.postgres + c.simulator + c.loadGenerator),
      };
    };
    // Each round's pair (rounds alternate which side goes first): the spread says what one run can resolve.
    const pairRatios = tput.this.rounds.map((x, i) => round(x / tput.other.rounds[i], 2));
    const sorted = [...pairRatios].sort((a, b) => a - b);
    const cpuThis = cpu('this');
    const cpuOther = cpu('other');
    for (const side of ['this', 'other'] as const) {
      const c = side === 'this' ? cpuThis : cpuOther;
      ctx.log(
        `${side}: ${round(rps(side), 0)} calls/s; CPU per call: gateway ${c.gateway}, PostgreSQL ${c.postgres}, simulator ${c.simulator}, ` +
          `load generator ${c.loadGenerator}, all ${c.total} µs; 1 connection p50 ${round(percentile(lat[side], 50))} ms, p99 ${round(percentile(lat[side], 99))} ms`,
      );
    }
    ctx.log(`throughput ratio per round pair: ${pairRatios.join(', ')}`);
    return {
      setup: { ...cfg, gatewayProcesses: 2 },
      metrics: [
        metric('throughput_ratio', 'throughput, this build / the other', round(rps('this') / rps('other'), 3), ''),
        metric('throughput_ratio_pairs_min', 'the same, lowest round pair', sorted[0], ''),
        metric('throughput_ratio_pairs_max', 'the same, highest round pair', sorted[sorted.length - 1], ''),
        metric(
          'cpu_ratio',
          'CPU per block across all processes, this build / the other',
          round(cpuThis.total / cpuOther.total, 3),
          '',
        ),
        metric('gateway_postgres_cpu_this', 'gateway + PostgreSQL CPU per block, this build', cpuThis.gatewayPlusPostgres, 'µs'),
        metric('gateway_postgres_cpu_other', 'gateway + PostgreSQL CPU per block, the other', cpuOther.gatewayPlusPostgres, 'µs'),
        metric('p99_this', 'p99 at 1 connection, this build', round(percentile(lat.this, 99)), 'ms'),
        metric('p99_other', 'p99 at 1 connection, the other', round(percentile(lat.other, 99)), 'ms'),
      ],
      details: {
        rps: { this: round(rps('this'), 1), other: round(rps('other'), 1) },
        roundsRps: { this: tput.this.rounds.map((x) => round(x, 0)), other: tput.other.rounds.map((x) => round(x, 0)) },
        pairRatios,
        cpuMicrosecondsPerCall: { this: cpuThis, other: cpuOther },
        latencyMs: {
          samplesPerSide: lat.this.length,
          this: { p50: round(percentile(lat.this, 50)), p99: round(percentile(lat.this, 99)) },
          other: { p50: round(percentile(lat.other, 50)), p99: round(percentile(lat.other, 99)) },
        },
      },
      notes: [],
    };
  },
};
