import { deliverTicket, newSecrets } from '../lib/env';
import { type LoadResult, openidWindows, percentile, round, runLoad } from '../lib/load';
import { monotonicMicros } from '../lib/profile';
import { sleep } from '../lib/http';
import { metric } from '../lib/report';
import type { Scenario } from '../lib/scenario';
import {
  countTenants,
  deleteFillerTenants,
  followersOf,
  insertFillerTenants,
  onboardTenant,
  type OnboardedTenant,
} from '../lib/tenants';

type Size = 'small' | 'large';

/**
 * p99 latency of `GET /v1/tenants/:id` and of `block` with 10 and with 10,000 tenants in the
 * database. Ten tenants are onboarded for real and take the traffic (round robin, each with its
 * own key); the other 9,990 are inserted with SQL into the migrated schema (tenants +
 * authorizers) and removed again, so the two sizes alternate (small, large, small, large) and
 * drift on a shared machine hits both alike.
 */
export const scale: Scenario = {
  name: 'scale',
  title: 'tenant scale: p99 of GET tenant and block with 10 vs 10,000 tenants',
  timeoutSeconds: 480,
  async run(ctx) {
    const q = ctx.options.quick;
    const cfg = {
      realTenants: 10,
      largeTenantCount: 10_000,
      // Eight alternating rounds: with four, one noisy round of either size moved the pooled p99 ratio by ±0.2.
      rounds: q ? 1 : 8,
      connections: 2,
      getRequestsPerRound: q ? 300 : 3000,
      blockRequestsPerRound: q ? 200 : 1500,
      gatewayEnv: { BLACKLIST_CALLS_PER_SECOND_PER_TENANT: '10000', BLACKLIST_CONCURRENCY_PER_TENANT: '64' },
    };
    const databaseUrl = await ctx.env.createDatabase('scale');
    const sim = await ctx.env.startSimulator('scale-sim', {
      dailyQuota: { 'tags/members/batchblacklist': 1_000_000_000 },
      callLogLimit: 10_000_000,
    });
    const secrets = newSecrets();
    const gw = await ctx.env.startGateway({
      label: 'scale-gateway',
      databaseUrl,
      sim,
      ...secrets,
      env: cfg.gatewayEnv,
      cpuProfileDir: ctx.profileDir,
    });
    await deliverTicket(sim, gw);
    const tenants: OnboardedTenant[] = [];
    const windows: (() => string[])[] = [];
    for (let i = 0; i < cfg.realTenants; i++) {
      const t = await onboardTenant(gw, sim, secrets.operatorKey, {
        name: `Scale Shop ${i}`,
        appId: `wxbenchscale${String(i).padStart(4, '0')}`,
        followerCount: 1000,
      });
      tenants.push(t);
      windows.push(openidWindows(await followersOf(sim, t.appId), 20));
    }

    let nextGet = 0;
    let nextBlock = 0;
    const getLoad = () =>
      runLoad({
        url: gw.url,
        method: 'GET',
        connections: cfg.connections,
        amount: cfg.getRequestsPerRound,
        requestFor: () => {
          const t = tenants[nextGet++ % tenants.length];
          return { method: 'GET', path: `/v1/tenants/${t.id}`, headers: { authorization: `Bearer ${t.apiKey}` } };
        },
        verify: (b) => b.includes('"status":"active"'),
      });
    const blockLoad = () =>
      runLoad({
        url: gw.url,
        connections: cfg.connections,
        amount: cfg.blockRequestsPerRound,
        requestFor: () => {
          const i = nextBlock++ % tenants.length;
          const t = tenants[i];
          return {
            method: 'POST',
            path: `/v1/tenants/${t.id}/blacklist/block`,
            headers: { authorization: `Bearer ${t.apiKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({ openids: windows[i]() }),
          };
        },
        verify: (b) => b.includes('"invalid":[]') && b.includes('"failed":[]'),
      });
    const check = (what: string, r: LoadResult) => {
      if (r.non2xx || r.errors || r.timeouts || r.mismatches) {
        throw new Error(
          `${what}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts, ${r.mismatches} unexpected bodies`,
        );
      }
    };

    // Warm-up (JIT, pools, caches), not recorded.
    check('warm-up GET', await getLoad());
    check('warm-up block', await blockLoad());

    const samples: Record<
      Size,
      { get: number[]; block: number[]; tenants: number[]; roundP99: { get: number[]; block: number[] } }
    > = {
      small: { get: [], block: [], tenants: [], roundP99: { get: [], block: [] } },
      large: { get: [], block: [], tenants: [], roundP99: { get: [], block: [] } },
    };
    for (let i = 0; i < cfg.rounds; i++) {
      for (const size of ['small', 'large'] as Size[]) {
        if (size === 'large') await insertFillerTenants(databaseUrl, cfg.largeTenantCount - cfg.realTenants);
        else await deleteFillerTenants(databaseUrl);
        const count = await countTenants(databaseUrl);
        await sleep(1000);
        samples[size].tenants.push(count);
        await sim.control('DELETE', '/calls');
        const profileFrom = monotonicMicros();
        const g = await getLoad();
        check(`GET with ${count} tenants`, g);
        const b = await blockLoad();
        check(`block with ${count} tenants`, b);
        ctx.profileWindow(profileFrom, monotonicMicros());
        samples[size].roundP99.get.push(round(percentile(g.latencies, 99)));
        samples[size].roundP99.block.push(round(percentile(b.latencies, 99)));
        samples[size].get.push(...g.latencies);
        samples[size].block.push(...b.latencies);
        ctx.log(
          `round ${i + 1}, ${count} tenants: GET p50 ${round(percentile(g.latencies, 50))} p99 ${round(percentile(g.latencies, 99))} ms; block p50 ${round(percentile(b.latencies, 50))} p99 ${round(percentile(b.latencies, 99))} ms`,
        );
      }
    }
    await deleteFillerTenants(databaseUrl);

    const p = (size: Size, what: 'get' | 'block', q: number) => percentile(samples[size][what], q);
    const getRatio = p('large', 'get', 99) / p('small', 'get', 99);
    const blockRatio = p('large', 'block', 99) / p('small', 'block', 99);
    const summary = (what: 'get' | 'block') =>
      Object.fromEntries(
        (['small', 'large'] as Size[]).map((s) => [
          s,
          {
            tenants: samples[s].tenants,
            samples: samples[s][what].length,
            p50: round(p(s, what, 50)),
            p90: round(p(s, what, 90)),
            p99: round(p(s, what, 99)),
            max: round(p(s, what, 100)),
            p99ByRound: samples[s].roundP99[what],
          },
        ]),
      );
    return {
      setup: cfg,
      metrics: [
        metric('get_tenant_p99_ratio', 'GET /v1/tenants/:id p99, 10,000 / 10 tenants', round(getRatio, 3), '', {
          op: '<=',
          value: 1.2,
        }),
        metric('block_p99_ratio', 'block p99, 10,000 / 10 tenants', round(blockRatio, 3), '', { op: '<=', value: 1.2 }),
        metric(
          'get_tenant_p50_ratio',
          'GET /v1/tenants/:id p50, 10,000 / 10 tenants',
          round(p('large', 'get', 50) / p('small', 'get', 50), 3),
          '',
        ),
        metric(
          'block_p50_ratio',
          'block p50, 10,000 / 10 tenants',
          round(p('large', 'block', 50) / p('small', 'block', 50), 3),
          '',
        ),
        metric('get_tenant_p99_ms_large', 'GET /v1/tenants/:id p99 at 10,000 tenants', round(p('large', 'get', 99)), 'ms'),
        metric('block_p99_ms_large', 'block p99 at 10,000 tenants', round(p('large', 'block', 99)), 'ms'),
      ],
      details: { getTenantLatencyMs: summary('get'), blockLatencyMs: summary('block') },
      notes: (['get', 'block'] as const)
        .filter((w) => p('large', w, 99) / p('small', w, 99) > 1.2)
        .map((w) => {
          const all = [...samples.small.roundP99[w], ...samples.large.roundP99[w]];
          return (
            `${w === 'get' ? 'GET /v1/tenants/:id' : 'block'}: p99 ${round(p('large', w, 99))} ms at 10,000 tenants vs ${round(p('small', w, 99))} ms at 10; ` +
            `p50 ${round(p('large', w, 50))} vs ${round(p('small', w, 50))} ms. Per-round p99s range ${Math.min(...all)}–${Math.max(...all)} ms within either size ` +
            `(10: ${samples.small.roundP99[w].join(', ')}; 10,000: ${samples.large.roundP99[w].join(', ')}), so compare the spread before reading a trend into the ratio.`
          );
        }),
    };
  },
};
