import request from 'supertest';
import { AuthorizerReconciliationService } from '../apps/gateway/src/authorizers/authorizer-reconciliation.service';
import { BackgroundTasks } from '../apps/gateway/src/platform/background/background-tasks.service';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, callsTo, onboardTenant, sql, tenantView } from './support/onboarding';
import { type Receiver, startReceiver, until } from './support/webhook-receiver';

describe('periodic reconciliation with WeChat’s authorizer list', () => {
  let h: Harness;
  let rx: Receiver;
  beforeAll(async () => {
    h = await startHarness({
      config: (c) => ({ ...c, authorizerReconcileCron: '5 4 * * *', webhooks: { pollIntervalMs: 100, allowPrivateUrls: true } }),
    });
    rx = await startReceiver();
    await request(h.url).post('/v1/webhook-endpoints').set(bearer(h.operatorKey)).send({ url: rx.url }).expect(201);
  }, 60_000);
  afterAll(async () => {
    await rx?.close();
    await h?.close();
  });

  const refreshTokenOf = async (tenantId: string) =>
    (await sql<{ refresh_token: string }>(h, `SELECT refresh_token FROM authorizers WHERE tenant_id = $1`, [tenantId]))[0]
      .refresh_token;

  it('replaces a refresh token that differs, revokes an account WeChat no longer lists (tenant.revoked), audits and counts each', async () => {
    const kept = await onboardTenant(h);
    const rotated = await onboardTenant(h);
    const gone = await onboardTenant(h);
    // WeChat re-issued rotated's refresh token and lost gone's authorization; neither push reached us.
    await h.sim.reauthorize(rotated.appId, { push: 'none' });
    await h.sim.revoke(gone.appId, { push: 'none' });
    const keptBefore = await refreshTokenOf(kept.id);
    const rotatedBefore = await refreshTokenOf(rotated.id);
    const since = h.sim.calls().at(-1)!.seq;

    const result = await h.app.get(AuthorizerReconciliationService).reconcile();

    expect(result).toEqual(expect.objectContaining({ replaced: 1, revoked: 1 }));
    expect(callsTo(h, 'api_get_authorizer_list', since).length).toBeGreaterThanOrEqual(1);
    expect(await refreshTokenOf(kept.id)).toBe(keptBefore);
    expect(await refreshTokenOf(rotated.id)).not.toBe(rotatedBefore);
    expect((await tenantView(h, gone.id)).status).toBe('revoked');
    expect((await tenantView(h, rotated.id)).status).toBe('active');
    // The replaced token works: the next refresh succeeds without recovery.
    await sql(h, `UPDATE authorizers SET access_token_expires_at = now() WHERE tenant_id = $1`, [rotated.id]);
    const before = h.sim.calls().at(-1)!.seq;
    await request(h.url).get(`/v1/tenants/${rotated.id}/blacklist`).set(bearer(h.operatorKey)).expect(200);
    expect(callsTo(h, 'api_authorizer_token', before).map((c) => c.errcode)).toEqual([0]);

    const actions = async (id: string) =>
      (await request(h.url).get(`/v1/tenants/${id}/audit-events`).set(bearer(h.operatorKey)).expect(200)).body.items.map(
        (e: { actor: string; action: string }) => `${e.actor}:${e.action}`,
      );
    expect(await actions(rotated.id)).toContain('system:refresh_token.replaced');
    expect(await actions(gone.id)).toContain('system:authorizer.revoked');
    // Nothing by the reconciliation for the account it left alone (its activation was the onboarding's).
    const keptEvents = (await request(h.url).get(`/v1/tenants/${kept.id}/audit-events`).set(bearer(h.operatorKey)).expect(200))
      .body.items as { actorName: string | null }[];
    expect(keptEvents.filter((e) => e.actorName === 'system:reconciliation')).toEqual([]);
    await until(() =>
      rx.received.some((r) => {
        const e = JSON.parse(r.body) as { type: string; data: { tenantId?: string } };
        return e.type === 'tenant.revoked' && e.data.tenantId === gone.id;
      }),
    );
    const metrics = await request(h.url).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/authorizer_refresh_token_recoveries_total\{change="refresh_token.replaced"\} [1-9]/);
    expect(metrics.text).toMatch(/authorizer_refresh_token_recoveries_total\{change="authorizer.revoked"\} [1-9]/);

    // A second pass finds nothing to change.
    expect(await h.app.get(AuthorizerReconciliationService).reconcile()).toEqual(
      expect.objectContaining({ replaced: 0, revoked: 0 }),
    );
  });

  it('on AUTHORIZER_RECONCILE_CRON (UTC), a pg-boss schedule: one instance per occurrence, counted, its last success in /health/ready', async () => {
    const schedules = await sql<{ name: string; cron: string; timezone: string }>(
      h,
      `SELECT name, cron, timezone FROM pgboss.schedule WHERE name = 'authorizer-reconcile'`,
    );
    expect(schedules).toEqual([{ name: 'authorizer-reconcile', cron: '5 4 * * *', timezone: 'UTC' }]);
    // A second instance on the same database and WeChat.
    const b = await startHarness({
      simulator: h.sim,
      databaseUrl: h.databaseUrl,
      config: (c) => ({ ...c, secretsKey: h.config.secretsKey, authorizerReconcileCron: '5 4 * * *' }),
    });
    try {
      const since = h.sim.calls().at(-1)!.seq;
      // An occurrence as pg-boss files it, asked for by both instances at once: one job, one run.
      await Promise.all([h, b].map((x) => x.app.get(BackgroundTasks).runSoon('authorizer-reconcile')));
      await until(() => callsTo(h, 'api_get_authorizer_list', since).length > 0, 20_000);
      await new Promise((r) => setTimeout(r, 3000)); // a second job would have been fetched by now
      expect(callsTo(h, 'api_get_authorizer_list', since)).toHaveLength(1);

      const runs = async (x: Harness) =>
        /background_task_runs_total\{task="authorizer-reconcile",outcome="succeeded"\} 1\b/.test(
          (await request(x.url).get('/metrics').expect(200)).text,
        );
      const ran = await Promise.all([h, b].map(runs));
      expect(ran.filter(Boolean)).toHaveLength(1);
      const runner = ran[0] ? h : b;
      const ready = await request(runner.url).get('/health/ready').expect(200);
      expect(ready.body.details.background.tasks['authorizer-reconcile']).toEqual({
        schedule: '5 4 * * *',
        lastSuccessAt: expect.any(String),
      });
    } finally {
      await b.app.close();
    }
  });

  it('AUTHORIZER_RECONCILE_CRON=off removes the schedule', async () => {
    const off = await startHarness({
      simulator: h.sim,
      databaseUrl: h.databaseUrl,
      config: (c) => ({ ...c, secretsKey: h.config.secretsKey, authorizerReconcileCron: 'off' }),
    });
    try {
      expect(await sql(h, `SELECT 1 FROM pgboss.schedule WHERE name = 'authorizer-reconcile'`)).toEqual([]);
    } finally {
      await off.app.close();
    }
  });
});
