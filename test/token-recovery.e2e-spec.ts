import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, callsTo, onboardTenant, sql, tenantView } from './support/onboarding';

const REFRESH = 'api_authorizer_token';
const LIST = 'api_get_authorizer_list';

/** Makes the tenant's access token due, so the next call refreshes it. */
async function expireAccessToken(h: Harness, tenantId: string): Promise<void> {
  await sql(h, `UPDATE authorizers SET access_token_expires_at = now() WHERE tenant_id = $1`, [tenantId]);
}

const readBlacklist = (h: Harness, tenantId: string) =>
  request(h.url).get(`/v1/tenants/${tenantId}/blacklist`).set(bearer(h.operatorKey));

describe('refresh tokens are recovered from WeChat before a tenant is given up', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ sim: { rotateRefreshTokens: true } });
  }, 60_000);
  afterAll(() => h?.close());

  it('a refresh token WeChat rotated but we never stored (61023) is taken from api_get_authorizer_list; the call succeeds', async () => {
    const t = await onboardTenant(h, { followers: 3 });
    const [stale] = await sql<{ refresh_token: string }>(h, `SELECT refresh_token FROM authorizers WHERE tenant_id = $1`, [t.id]);
    await expireAccessToken(h, t.id);
    await readBlacklist(h, t.id).expect(200);
    // The write of that refresh is "lost": the row goes back to the refresh token WeChat retired.
    await sql(h, `UPDATE authorizers SET refresh_token = $2, access_token_expires_at = now() WHERE tenant_id = $1`, [
      t.id,
      stale.refresh_token,
    ]);
    const since = h.sim.calls().length ? h.sim.calls().at(-1)!.seq : 0;

    await readBlacklist(h, t.id).expect(200);

    expect(callsTo(h, REFRESH, since).map((c) => c.errcode)).toEqual([61023, 0]);
    expect(callsTo(h, LIST, since)).toHaveLength(1);
    expect((await tenantView(h, t.id)).status).toBe('active');
    const audit = await request(h.url).get(`/v1/tenants/${t.id}/audit-events`).set(bearer(h.operatorKey)).expect(200);
    expect(audit.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ actor: 'system', action: 'refresh_token.recovered' })]),
    );
    const metrics = await request(h.url).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/authorizer_refresh_token_recoveries_total\{change="refresh_token.recovered"\} [1-9]/);
  });

  it('an unreadable stored refresh token is recovered the same way', async () => {
    const t = await onboardTenant(h);
    await sql(
      h,
      `UPDATE authorizers SET refresh_token = 'v1:not-a-sealed-value', access_token_expires_at = now() WHERE tenant_id = $1`,
      [t.id],
    );
    await readBlacklist(h, t.id).expect(200);
    expect((await tenantView(h, t.id)).status).toBe('active');
  });

  it('an injected 61023 whose refresh token WeChat still lists as current marks the tenant only after asking the list', async () => {
    const t = await onboardTenant(h);
    await expireAccessToken(h, t.id);
    const since = h.sim.calls().at(-1)!.seq;
    h.sim.addFault({ api: `component/${REFRESH}`, type: 'errcode', errcode: 61023, count: 1, appId: t.appId });

    const res = await readBlacklist(h, t.id).expect(409);
    expect(res.body.error.code).toBe('TENANT_NOT_ACTIVE');
    expect(callsTo(h, LIST, since)).toHaveLength(1);
    expect((await tenantView(h, t.id)).status).toBe('reauthorization_required');
  });
});
