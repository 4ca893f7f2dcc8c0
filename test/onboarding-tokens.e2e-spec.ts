import { SecretCipher } from '@app/common';
import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, onboardTenant, sql, tenantView } from './support/onboarding';
import { tokensAtRest } from './support/sealed-tokens';

/**
 * The authorizer token rule, exercised through a real route that needs the token
 * (GET /v1/tenants/:id/blacklist → getblacklist), one process. The multi-process suite
 * covers the same rule across instances.
 */
describe('authorizer tokens: refresh rule, single flight, retry once, revocation', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.sim.pushTicket();
  });
  afterAll(() => h.close());

  const seq = () => h.sim.calls().at(-1)?.seq ?? 0;
  const page = (tenantId: string) => request(h.url).get(`/v1/tenants/${tenantId}/blacklist`).set(bearer(h.operatorKey));
  const calls = (api: string, appId: string | undefined, since: number) =>
    h.sim.calls({ api, ...(appId ? { appId } : {}), since });

  it('a token WeChat calls invalid is refreshed once for 20 concurrent callers, each retried once', async () => {
    const t = await onboardTenant(h);
    const since = seq();
    h.sim.expireTokens({ kind: 'authorizer', appId: t.appId });
    const replies = await Promise.all(Array.from({ length: 20 }, () => page(t.id)));
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(calls('component/api_authorizer_token', t.appId, since)).toHaveLength(1);
    const lists = calls('tags/members/getblacklist', t.appId, since);
    expect(lists.filter((c) => c.errcode === 0)).toHaveLength(20);
    expect(lists.filter((c) => c.errcode !== 0).length).toBeLessThanOrEqual(20);
  });

  it('still invalid after the refresh: the call is retried exactly once, then the error is reported', async () => {
    const t = await onboardTenant(h);
    const since = seq();
    h.sim.addFault({ api: 'tags/members/getblacklist', type: 'errcode', errcode: 40001, count: 2, appId: t.appId });
    const res = await page(t.id);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('WECHAT_API_ERROR');
    expect(calls('tags/members/getblacklist', t.appId, since)).toHaveLength(2);
    expect(calls('component/api_authorizer_token', t.appId, since)).toHaveLength(1);
    // The next call uses the refreshed token without refreshing again.
    await page(t.id).expect(200);
    expect(calls('component/api_authorizer_token', t.appId, since)).toHaveLength(1);
  });

  it('the refresh token WeChat returns is stored with the new access token, in one row', async () => {
    const t = await onboardTenant(h);
    const [before] = await sql<{ access_token: string; refresh_token: string }>(
      h,
      `SELECT access_token, refresh_token FROM authorizers WHERE tenant_id = $1`,
      [t.id],
    );
    await sql(h, `UPDATE authorizers SET access_token_expires_at = now() + interval '9 minutes' WHERE tenant_id = $1`, [t.id]);
    const since = seq();
    await page(t.id).expect(200);
    expect(calls('component/api_authorizer_token', t.appId, since)).toHaveLength(1);
    const [after] = await sql<{ access_token: string; refresh_token: string; access_token_expires_at: Date }>(
      h,
      `SELECT access_token, refresh_token, access_token_expires_at FROM authorizers WHERE tenant_id = $1`,
      [t.id],
    );
    expect(after.access_token).not.toBe(before.access_token);
    expect(after.refresh_token).not.toBe(before.refresh_token); // re-sealed (fresh IV) even if the value is the same
    expect(after.access_token_expires_at.getTime()).toBeGreaterThan(Date.now() + 60 * 60_000);
  });

  it('a component token rejected during the authorizer refresh is renewed and the refresh retried once', async () => {
    const t = await onboardTenant(h);
    const since = seq();
    h.sim.expireTokens({ kind: 'all' });
    await page(t.id).expect(200);
    expect(calls('component/api_component_token', undefined, since)).toHaveLength(1);
    const refreshes = calls('component/api_authorizer_token', t.appId, since);
    expect(refreshes.filter((c) => c.errcode === 0)).toHaveLength(1);
    expect(refreshes.length).toBeLessThanOrEqual(2);
  });

  it.each([61023, 61003])(
    '%s on refresh → reauthorization_required, TENANT_NOT_ACTIVE, no further refresh attempts',
    async (errcode) => {
      const t = await onboardTenant(h);
      h.sim.expireTokens({ kind: 'authorizer', appId: t.appId });
      h.sim.addFault({ api: 'component/api_authorizer_token', type: 'errcode', errcode, appId: t.appId });
      const since = seq();
      const res = await page(t.id).expect(409);
      expect(res.body.error.code).toBe('TENANT_NOT_ACTIVE');
      const view = await tenantView(h, t.id);
      expect(view.status).toBe('reauthorization_required');
      expect(view.capabilities).toEqual({ blacklist: false });
      await page(t.id).expect(409);
      expect(calls('component/api_authorizer_token', t.appId, since)).toHaveLength(1);
      const [row] = await sql(h, `SELECT access_token, refresh_token FROM authorizers WHERE tenant_id = $1`, [t.id]);
      expect(row).toEqual({ access_token: null, refresh_token: null });
      h.sim.clearFaults();
    },
  );

  it('after all those refreshes, no token value is in the captured logs', async () => {
    const cipher = new SecretCipher(h.config.secretsKey);
    const secrets = await tokensAtRest(h, cipher);
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    const logs = h.logs.text();
    expect(logs).toContain('authorizer token refreshed');
    for (const v of secrets) expect(logs).not.toContain(v);
    expect(logs).not.toMatch(/refreshtoken@@@|queryauthcode@@@|preauthcode@@@|ticket@@@/);
  });
});
