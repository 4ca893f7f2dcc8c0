import { deliverTicket, type Gateway, newSecrets } from '../lib/env';
import { request } from '../lib/http';
import { openidWindows, percentile, round } from '../lib/load';
import { monotonicMicros } from '../lib/profile';
import { metric } from '../lib/report';
import type { Scenario } from '../lib/scenario';
import { followersOf, onboardTenant, type OnboardedTenant } from '../lib/tenants';

interface CallLogEntry {
  api: string;
  appId?: string;
  errcode: number | null;
}

/**
 * 3 gateway processes on one database, 50 active tenants with warm tokens. Every token is then
 * force-expired at the simulator, and 500 block calls arrive at once, spread over the tenants
 * and the processes. From the simulator's call log: how many times each tenant's token was
 * refreshed (api_authorizer_token; exactly once is right) and the component token
 * (api_component_token; at most once).
 */
export const stampede: Scenario = {
  name: 'stampede',
  title: 'token refresh stampede: 3 processes, 50 tenants, 500 concurrent calls after forced expiry',
  timeoutSeconds: 300,
  async run(ctx) {
    const cfg = {
      gatewayProcesses: 3,
      tenants: ctx.options.quick ? 10 : 50,
      concurrentCalls: ctx.options.quick ? 100 : 500,
      openidsPerCall: 20,
    };
    const databaseUrl = await ctx.env.createDatabase('stampede');
    const sim = await ctx.env.startSimulator('stampede-sim', { dailyQuota: { 'tags/members/batchblacklist': 1_000_000_000 } });
    const secrets = newSecrets();
    const gateways: Gateway[] = [];
    // Started together, as a deployment rolls out: they also race for the migrations.
    const started = await Promise.all(
      Array.from({ length: cfg.gatewayProcesses }, (_, i) =>
        ctx.env.startGateway({
          label: `stampede-gateway-${i + 1}`,
          databaseUrl,
          sim,
          ...secrets,
          env: { BLACKLIST_CALLS_PER_SECOND_PER_TENANT: '1000' },
          cpuProfileDir: ctx.profileDir,
        }),
      ),
    );
    gateways.push(...started);
    await deliverTicket(sim, gateways[0]);

    const tenants: OnboardedTenant[] = [];
    for (let i = 0; i < cfg.tenants; i++) {
      const appId = `wxbenchstamp${String(i).padStart(4, '0')}`;
      tenants.push(
        await onboardTenant(gateways[i % gateways.length], sim, secrets.operatorKey, {
          name: `Stampede Shop ${i}`,
          appId,
          followerCount: 400,
        }),
      );
    }
    const windows = new Map<string, () => string[]>();
    for (const t of tenants) windows.set(t.id, openidWindows(await followersOf(sim, t.appId), cfg.openidsPerCall));
    ctx.log(
      `${tenants.length} tenants onboarded through ${gateways.length} gateways (pids ${gateways.map((g) => g.pid).join(', ')})`,
    );

    const block = (gw: Gateway, t: OnboardedTenant) =>
      request<{ succeeded: string[]; invalid: string[]; failed: unknown[] }>(
        'POST',
        `${gw.url}/v1/tenants/${t.id}/blacklist/block`,
        {
          key: t.apiKey,
          body: { openids: windows.get(t.id)!() },
          timeoutMs: 120_000,
        },
      );

    // Warm: every tenant through every process, so each has its tokens (and any caches) in place.
    for (const gw of gateways) {
      await Promise.all(
        tenants.map(async (t) => {
          const r = await block(gw, t);
          if (r.status !== 200 || r.json.failed.length)
            throw new Error(`warm-up block for ${t.id} answered ${r.status}: ${r.text.slice(0, 300)}`);
        }),
      );
    }

    /** Expires tokens of `kind` at the simulator, fires the calls at once, reads the call log. */
    const stampedeAfterExpiry = async (kind: 'all' | 'authorizer') => {
      await sim.control('DELETE', '/calls');
      const expired = await sim.control<{ expired: number }>('POST', '/expire-tokens', { kind });
      ctx.log(`expired ${expired.expired} tokens (${kind}) at the simulator; firing ${cfg.concurrentCalls} block calls at once`);
      const t0 = performance.now();
      const profileFrom = monotonicMicros();
      const replies = await Promise.all(
        Array.from({ length: cfg.concurrentCalls }, (_, k) => {
          const t = tenants[k % tenants.length];
          const gw = gateways[k % gateways.length];
          const s = performance.now();
          return block(gw, t).then(
            (r) => ({
              status: r.status,
              ok: r.status === 200 && r.json.succeeded.length === cfg.openidsPerCall,
              ms: performance.now() - s,
              body: r.text,
            }),
            (e: Error) => ({ status: 0, ok: false, ms: performance.now() - s, body: e.message }),
          );
        }),
      );
      const wallMs = performance.now() - t0;
      ctx.profileWindow(profileFrom, monotonicMicros());

      const log = await sim.control<CallLogEntry[]>('GET', '/calls');
      const authorizerCalls = new Map<string, number>(tenants.map((t) => [t.appId, 0]));
      const authorizerRefreshes = new Map<string, number>(tenants.map((t) => [t.appId, 0]));
      let componentCalls = 0;
      // Every call by API and errcode: a refresh WeChat rejects is still a call.
      const byApi: Record<string, Record<string, number>> = {};
      for (const c of log) {
        const codes = (byApi[c.api] ??= {});
        codes[String(c.errcode)] = (codes[String(c.errcode)] ?? 0) + 1;
        if (c.api === 'component/api_authorizer_token') {
          authorizerCalls.set(c.appId ?? '?', (authorizerCalls.get(c.appId ?? '?') ?? 0) + 1);
          if (c.errcode === 0) authorizerRefreshes.set(c.appId ?? '?', (authorizerRefreshes.get(c.appId ?? '?') ?? 0) + 1);
        }
        if (c.api === 'component/api_component_token') componentCalls++;
      }
      const perTenant = [...authorizerCalls.values()];
      const refreshesPerTenant = [...authorizerRefreshes.values()];
      const statuses: Record<string, number> = {};
      for (const r of replies) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      const distribution: Record<string, number> = {};
      for (const n of perTenant) distribution[n] = (distribution[n] ?? 0) + 1;
      const ms = replies.map((r) => r.ms);
      return {
        kind,
        ok: replies.filter((r) => r.ok).length,
        notOk: replies
          .filter((r) => !r.ok)
          .slice(0, 3)
          .map((r) => `${r.status}: ${r.body.slice(0, 200)}`),
        perTenant,
        refreshesPerTenant,
        componentCalls,
        details: {
          tokensExpired: expired.expired,
          callsByApiAndErrcode: byApi,
          authorizerTokenCallsDistribution: distribution,
          authorizerTokenCallsPerTenant: Object.fromEntries(authorizerCalls),
          componentTokenCalls: componentCalls,
          statuses,
          wallMs: round(wallMs, 0),
          replyMs: { p50: round(percentile(ms, 50), 0), p99: round(percentile(ms, 99), 0), max: round(percentile(ms, 100), 0) },
        },
      };
    };

    // The case: every token expired at once, the component's included.
    const all = await stampedeAfterExpiry('all');
    // A control: only the tenants' tokens expired, so a refresh needs no component refresh first.
    const authorizerOnly = await stampedeAfterExpiry('authorizer');

    const notes: string[] = [];
    for (const r of [all, authorizerOnly]) {
      const rejected = r.details.callsByApiAndErrcode['component/api_authorizer_token'] ?? {};
      if (Math.max(...r.perTenant) > 1) {
        notes.push(
          `expiry of ${r.kind === 'all' ? 'every token' : "the tenants' tokens only"}: ${r.perTenant.filter((n) => n > 1).length} of ${tenants.length} tenants saw more than one api_authorizer_token call ` +
            `(calls per tenant → tenants: ${JSON.stringify(r.details.authorizerTokenCallsDistribution)}; by errcode: ${JSON.stringify(rejected)}; successful refreshes per tenant: min ${Math.min(...r.refreshesPerTenant)}, max ${Math.max(...r.refreshesPerTenant)}).`,
        );
      }
      const rejectedExpired = (rejected['42001'] ?? 0) + (rejected['40001'] ?? 0);
      if (
        r.kind === 'all' &&
        Math.max(...r.perTenant) > 1 &&
        Math.max(...r.refreshesPerTenant) === 1 &&
        r.componentCalls === 1 &&
        rejectedExpired > 0
      ) {
        const rejectedPerTenant = r.perTenant.map((n, i) => n - r.refreshesPerTenant[i]);
        notes.push(
          `Why: each tenant got exactly one new token and the component token was renewed once; the extra calls are refresh attempts ` +
            `sent with the expired component token before it was renewed, which WeChat rejected (${rejectedExpired} in all, 42001): ` +
            `${Math.min(...rejectedPerTenant)}–${Math.max(...rejectedPerTenant)} per tenant with ${cfg.gatewayProcesses} gateway processes, ` +
            `i.e. about one per process that was waiting on the tenant's refresh lock.` +
            (Math.max(...authorizerOnly.perTenant) === 1 && Math.min(...authorizerOnly.perTenant) === 1
              ? ` With only the tenants' tokens expired (the control) it is exactly one call per tenant.`
              : ''),
        );
      }
      if (r.ok < cfg.concurrentCalls)
        notes.push(`${r.kind}: ${cfg.concurrentCalls - r.ok} block calls did not fully succeed, e.g. ${r.notOk.join(' | ')}`);
    }

    return {
      setup: cfg,
      metrics: [
        metric('authorizer_token_calls_max', 'api_authorizer_token calls, most for one tenant', Math.max(...all.perTenant), '', {
          op: '==',
          value: 1,
        }),
        metric(
          'authorizer_token_calls_min',
          'api_authorizer_token calls, fewest for one tenant',
          Math.min(...all.perTenant),
          '',
          { op: '==', value: 1 },
        ),
        metric('component_token_calls', 'api_component_token calls', all.componentCalls, '', { op: '<=', value: 1 }),
        metric('calls_succeeded', `block calls fully succeeded (of ${cfg.concurrentCalls})`, all.ok, '', {
          op: '==',
          value: cfg.concurrentCalls,
        }),
        metric(
          'authorizer_refreshes_max',
          'successful token refreshes, most for one tenant',
          Math.max(...all.refreshesPerTenant),
          '',
        ),
        metric(
          'authorizer_only_token_calls_max',
          'control, tenant tokens only expired: api_authorizer_token calls, most for one tenant',
          Math.max(...authorizerOnly.perTenant),
          '',
        ),
      ],
      details: {
        everyTokenExpired: all.details,
        tenantTokensOnlyExpired: { ...authorizerOnly.details, callsSucceeded: authorizerOnly.ok },
      },
      notes,
    };
  },
};
