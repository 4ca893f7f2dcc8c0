import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, callsTo, onboardTenant, type OnboardedTenant, sql } from './support/onboarding';
import { until } from './support/webhook-receiver';

const TENANTS = 8;

describe('background renewal: requests never wait for a refresh', () => {
  let a: Harness;
  let b: Harness;
  let tenants: OnboardedTenant[];
  beforeAll(async () => {
    a = await startHarness({ config: (c) => ({ ...c, tokenRenewal: { intervalMs: 1000, concurrency: 2 } }) });
    // A second instance on the same database and WeChat, sweeping too.
    b = await startHarness({
      simulator: a.sim,
      databaseUrl: a.databaseUrl,
      config: (c) => ({ ...c, secretsKey: a.config.secretsKey, tokenRenewal: { intervalMs: 1000, concurrency: 2 } }),
    });
    tenants = [];
    for (let i = 0; i < TENANTS; i++) tenants.push(await onboardTenant(a));
  }, 90_000);
  afterAll(async () => {
    await b?.app.close();
    await a?.close();
  });

  const expiries = async () =>
    (
      await sql<{ tenant_id: string; access_token_expires_at: Date }>(
        a,
        `SELECT tenant_id, access_token_expires_at FROM authorizers WHERE tenant_id = ANY($1)`,
        [tenants.map((t) => t.id)],
      )
    ).map((r) => r.access_token_expires_at.getTime());

  it('tokens with under 15 minutes left are renewed without any API request, once each across two instances', async () => {
    // 12 minutes left: a request would still use them (10-minute margin); only the renewer acts.
    await sql(a, `UPDATE authorizers SET access_token_expires_at = now() + interval '12 minutes' WHERE tenant_id = ANY($1)`, [
      tenants.map((t) => t.id),
    ]);
    const since = a.sim.calls().at(-1)!.seq;

    await until(async () => (await expiries()).every((e) => e > Date.now() + 60 * 60_000), 20_000);

    const refreshes = callsTo(a, 'api_authorizer_token', since);
    expect(refreshes.filter((c) => c.errcode === 0)).toHaveLength(TENANTS);
    expect(new Set(refreshes.map((c) => c.appId)).size).toBe(TENANTS);
    // Nothing but the renewals reached WeChat: no API request was made.
    expect(a.sim.calls({ since }).every((c) => c.api.startsWith('component/'))).toBe(true);

    // Steady state: a request uses the renewed token, with no refresh on its path.
    const before = a.sim.calls().at(-1)!.seq;
    await request(b.url).get(`/v1/tenants/${tenants[0].id}/blacklist`).set(bearer(b.operatorKey)).expect(200);
    expect(callsTo(a, 'api_authorizer_token', before)).toEqual([]);
    const metrics =
      (await request(a.url).get('/metrics').expect(200)).text + (await request(b.url).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/authorizer_token_background_renewals_total\{outcome="renewed"\} [1-9]/);
  });
});
