import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { deliverTicket, newSecrets, type Simulator } from '../lib/env';
import { expectStatus, request, sleep, waitFor } from '../lib/http';
import { percentile, round, runLoad } from '../lib/load';
import { common } from '../lib/project';
import { metric } from '../lib/report';
import type { Scenario } from '../lib/scenario';

const SIM_CALLS_PER_SECOND = 50;
/** The renewer takes tokens with under 15 minutes left (RENEW_MARGIN_MS): expiries in 5–15 minutes are all due at once. */
const EXPIRY_FROM_S = 300;
const EXPIRY_SPREAD_S = 600;
/** The light API load: GET /v1/tenants/:id at a fixed rate, the same with and without the sweep. */
const LOAD_RATE = 50;

interface Seeded {
  appId: string;
  accessToken: string;
  refreshToken: string;
}

/** The component access token, from the verify ticket the gateway stored (sealed with the key we gave it). */
async function componentToken(sim: Simulator, databaseUrl: string, secretsKey: string): Promise<string> {
  const cipher = new (common().SecretCipher)(Buffer.from(secretsKey, 'base64'));
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const ticket = await waitFor(
      'the gateway to store the verify ticket',
      async () => (await db.query<{ ticket: string | null }>('SELECT ticket FROM component_state')).rows[0]?.ticket ?? undefined,
      10_000,
    );
    const r = await expectStatus<{ component_access_token: string }>(
      200,
      'POST',
      `${sim.url}/cgi-bin/component/api_component_token`,
      {
        body: {
          component_appid: sim.component.componentAppId,
          component_appsecret: sim.component.componentAppSecret,
          component_verify_ticket: cipher.decrypt(ticket, {
            table: 'component_state',
            column: 'ticket',
            row: sim.component.componentAppId,
          }),
        },
      },
    );
    if (!r.json.component_access_token) throw new Error(`api_component_token answered ${r.text.slice(0, 200)}`);
    return r.json.component_access_token;
  } finally {
    await db.end();
  }
}

/** Authorizes one simulated account and exchanges its code, as the gateway's onboarding would. */
async function seedAccount(sim: Simulator, token: string, appId: string): Promise<Seeded> {
  const created = await sim.control<{ authCode: string }>('POST', '/authorizers', { appId, authorize: true, push: 'none' });
  const r = await expectStatus<{
    authorization_info?: { authorizer_access_token: string; authorizer_refresh_token: string };
  }>(200, 'POST', `${sim.url}/cgi-bin/component/api_query_auth?component_access_token=${encodeURIComponent(token)}`, {
    body: { component_appid: sim.component.componentAppId, authorization_code: created.authCode },
  });
  const info = r.json.authorization_info;
  if (!info) throw new Error(`api_query_auth for ${appId} answered ${r.text.slice(0, 200)}`);
  return { appId, accessToken: info.authorizer_access_token, refreshToken: info.authorizer_refresh_token };
}

/**
 * One gateway, N tenants inserted with SQL (tenants + authorizers, tokens sealed with the
 * gateway's key) whose tokens WeChat (the simulator, capped at 50 calls/s) knows. Their expiries
 * are then moved into the next 5–15 minutes, so the background renewer finds them all due at once.
 * Reports how many were renewed before they expired, api_authorizer_token calls per tenant (from
 * the simulator's call log), and the p99 of a light GET /v1/tenants/:id load during the sweep
 * against the same load just before it.
 */
export const refresh: Scenario = {
  name: 'refresh',
  title: `background token renewal: N tenants expiring within 30 min, WeChat capped at ${SIM_CALLS_PER_SECOND} calls/s`,
  timeoutSeconds: 1800,
  async run(ctx) {
    const tenants = ctx.options.tenants ?? (ctx.options.quick ? 500 : 10_000);
    const sweepSeconds = tenants / SIM_CALLS_PER_SECOND;
    // The compared load windows: most of the sweep, at least 5 s.
    const loadSeconds = Math.max(5, Math.floor(sweepSeconds * 0.6));
    const cfg = {
      tenants,
      simCallsPerSecond: SIM_CALLS_PER_SECOND,
      loadRatePerSecond: LOAD_RATE,
      loadSeconds,
      renewalIntervalMs: 5000,
    };
    const databaseUrl = await ctx.env.createDatabase('refresh');
    const sim = await ctx.env.startSimulator('refresh-sim', { maxCallsPerSecond: SIM_CALLS_PER_SECOND });
    const secrets = newSecrets();
    const gw = await ctx.env.startGateway({
      label: 'refresh-gateway',
      databaseUrl,
      sim,
      ...secrets,
      env: { TOKEN_RENEWAL_INTERVAL_MS: String(cfg.renewalIntervalMs) },
      cpuProfileDir: ctx.profileDir,
    });
    await deliverTicket(sim, gw);

    // Seeding goes through the simulator's cap too (api_query_auth): tenants / 50 seconds.
    const token = await componentToken(sim, databaseUrl, secrets.secretsKey);
    const seedStart = Date.now();
    const seeded: Seeded[] = new Array(tenants);
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < tenants) {
          const i = next++;
          seeded[i] = await seedAccount(sim, token, `wxbenchrf${String(i).padStart(6, '0')}`);
        }
      }),
    );
    ctx.log(`${tenants} accounts authorized at the simulator in ${round((Date.now() - seedStart) / 1000, 1)} s`);

    const cipher = new (common().SecretCipher)(Buffer.from(secrets.secretsKey, 'base64'));
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    ctx.env.onClose(() => db.end());
    // Tokens not yet due (2 h left): the baseline load runs on the full table without a sweep.
    await db.query('BEGIN');
    const { rows: ids } = await db.query<{ id: string }>(
      `INSERT INTO tenants (name, external_id, status, api_key_hash)
       SELECT 'Refresh Shop ' || g, 'refresh-' || g, 'active', encode(sha256(($1 || g)::bytea), 'hex')
         FROM generate_series(0, $2::int - 1) AS g ORDER BY g RETURNING id`,
      [randomBytes(8).toString('hex'), tenants],
    );
    await db.query(
      `INSERT INTO authorizers (tenant_id, app_id, nick_name, principal_name, service_type, verify_type, verified, permission_sets,
                                access_token, access_token_expires_at, refresh_token)
       SELECT t, a, 'Refresh Shop', 'Refresh Shop Ltd', 2, 0, true, '{1,2,15}', at, now() + interval '2 hours', rt
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS x(t, a, at, rt)`,
      [
        ids.map((r) => r.id),
        seeded.map((s) => s.appId),
        // Sealed as the gateway seals them: bound to the row's tenant and the column.
        seeded.map((s, i) => cipher.encrypt(s.accessToken, { table: 'authorizers', column: 'access_token', row: ids[i].id })),
        seeded.map((s, i) => cipher.encrypt(s.refreshToken, { table: 'authorizers', column: 'refresh_token', row: ids[i].id })),
      ],
    );
    await db.query('COMMIT');
    await db.query('VACUUM ANALYZE tenants');
    await db.query('VACUUM ANALYZE authorizers');

    const tenantIds = ids.map((r) => r.id);
    const load = () =>
      runLoad({
        url: gw.url,
        connections: 4,
        rate: LOAD_RATE,
        duration: loadSeconds,
        requestFor: () => ({
          method: 'GET',
          path: `/v1/tenants/${tenantIds[Math.floor(Math.random() * tenantIds.length)]}`,
          headers: { authorization: `Bearer ${secrets.operatorKey}` },
        }),
        verify: (body) => body.includes('"status"'),
      });
    // Warm the process (JIT, connections), then the baseline.
    await runLoad({
      url: gw.url,
      connections: 4,
      amount: 500,
      method: 'GET',
      requestFor: () => ({
        method: 'GET',
        path: `/v1/tenants/${tenantIds[0]}`,
        headers: { authorization: `Bearer ${secrets.operatorKey}` },
      }),
      verify: () => true,
    });
    const baseline = await load();
    ctx.log(`baseline (no sweep): ${baseline.ok} GETs, p99 ${round(percentile(baseline.latencies, 99))} ms`);

    await sim.control('DELETE', '/calls');
    const { rows: due } = await db.query<{ tenant_id: string; expires: string }>(
      `UPDATE authorizers SET access_token_expires_at = now() + make_interval(secs => $1 + random() * $2)
       RETURNING tenant_id, (extract(epoch FROM access_token_expires_at) * 1000)::bigint AS expires`,
      [EXPIRY_FROM_S, EXPIRY_SPREAD_S],
    );
    const sweepStart = Date.now();
    const expiresAt = new Map(due.map((r) => [r.tenant_id, Number(r.expires)]));
    const renewedAt = new Map<string, number>();
    const lastExpiry = Math.max(...expiresAt.values());
    // A renewed token expires 2 h after its renewal, so expiries only grow: each poll reads the
    // recent ones (10 s back, for transactions that began before the last poll and committed after).
    let seenUpToMs = 0;
    const poll = (async () => {
      while (renewedAt.size < tenants && Date.now() < lastExpiry + 5000) {
        const { rows } = await db.query<{ tenant_id: string; e: string }>(
          `SELECT tenant_id, (extract(epoch FROM access_token_expires_at) * 1000)::bigint AS e FROM authorizers
            WHERE access_token_expires_at > greatest(now() + interval '60 minutes', to_timestamp($1::double precision / 1000 - 10))`,
          [seenUpToMs],
        );
        const now = Date.now();
        for (const r of rows) {
          if (!renewedAt.has(r.tenant_id)) renewedAt.set(r.tenant_id, now);
          seenUpToMs = Math.max(seenUpToMs, Number(r.e));
        }
        await sleep(500);
      }
    })();
    await waitFor('the first background renewal', async () => (renewedAt.size > 0 ? true : undefined), 60_000, 200);
    const during = await load();
    const renewedDuringLoad = renewedAt.size;
    ctx.log(
      `during the sweep: ${during.ok} GETs, p99 ${round(percentile(during.latencies, 99))} ms; ${renewedDuringLoad} renewed so far`,
    );
    await poll;
    const sweepSecondsMeasured = (Math.max(...renewedAt.values()) - sweepStart) / 1000;

    const calls = await sim.control<{ api: string; appId?: string; errcode: number | null }[]>('GET', '/calls');
    const perApp = new Map<string, number>();
    const byApi: Record<string, number> = {};
    for (const c of calls) {
      byApi[c.api] = (byApi[c.api] ?? 0) + 1;
      if (c.api === 'component/api_authorizer_token') perApp.set(c.appId ?? '?', (perApp.get(c.appId ?? '?') ?? 0) + 1);
    }
    const authorizerTokenCalls = [...perApp.values()].reduce((a, b) => a + b, 0);
    const beforeExpiry = [...renewedAt].filter(([id, at]) => at < expiresAt.get(id)!).length;
    const p99Base = percentile(baseline.latencies, 99);
    const p99During = percentile(during.latencies, 99);
    const health = await request('GET', `${gw.url}/health/ready`);
    const notes: string[] = [];
    if (renewedAt.size < tenants) notes.push(`${tenants - renewedAt.size} tenants were not renewed before the last expiry.`);
    if (renewedDuringLoad >= tenants)
      notes.push('The sweep ended before the load window did: the "during" load also covers idle time.');
    if (during.non2xx || during.errors) notes.push(`During the sweep ${during.non2xx} non-2xx and ${during.errors} errors.`);

    return {
      setup: {
        ...cfg,
        expiriesSeconds: [EXPIRY_FROM_S, EXPIRY_FROM_S + EXPIRY_SPREAD_S],
        tokenRenewalConcurrency: 'default (4)',
      },
      metrics: [
        metric('renewed_before_expiry', `tenants renewed before their token expired (of ${tenants})`, beforeExpiry, '', {
          op: '==',
          value: tenants,
        }),
        metric('authorizer_token_calls', `api_authorizer_token calls (tenants: ${tenants})`, authorizerTokenCalls, '', {
          op: '==',
          value: tenants,
        }),
        metric(
          'authorizer_token_calls_max',
          'api_authorizer_token calls, most for one tenant',
          Math.max(0, ...perApp.values()),
          '',
          { op: '==', value: 1 },
        ),
        metric('p99_ratio', 'GET tenant p99 during the sweep / without it', round(p99During / p99Base), '×', {
          op: '<=',
          value: 1.2,
        }),
        metric('sweep_seconds', 'sweep duration (first due to last renewed)', round(sweepSecondsMeasured, 1), 's'),
      ],
      details: {
        callsByApi: byApi,
        renewed: renewedAt.size,
        renewedDuringLoadWindow: renewedDuringLoad,
        renewalsPerSecond: round(renewedAt.size / sweepSecondsMeasured, 1),
        baseline: {
          ok: baseline.ok,
          p50: round(percentile(baseline.latencies, 50)),
          p99: round(p99Base),
          errors: baseline.errors,
          non2xx: baseline.non2xx,
        },
        duringSweep: {
          ok: during.ok,
          p50: round(percentile(during.latencies, 50)),
          p99: round(p99During),
          errors: during.errors,
          non2xx: during.non2xx,
        },
        readyAfter: health.status,
        gatewayPeakRssBytes: gw.peakRss(),
      },
      notes,
    };
  },
};
