import { jssdkSignature } from '@app/wechat';
import request from 'supertest';
import { JsTicketRenewer } from '../apps/gateway/src/jssdk/js-ticket-renewer';
import { lastSeq } from './support/blacklist-helpers';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, createTenant, onboardTenant, sql, type OnboardedTenant } from './support/onboarding';
import { createTokenKey } from './support/web-oauth';

const GETTICKET = 'ticket/getticket';
const getticketCalls = (h: Harness, appId: string, since = 0) => h.sim.calls({ api: GETTICKET, appId, since });
const signatures = (tenantId: string) => `/v1/tenants/${tenantId}/jssdk/signatures`;
const ticketRoute = (tenantId: string, type = 'jsapi') => `/v1/tenants/${tenantId}/tickets/${type}`;
const invalidations = (tenantId: string, type = 'jsapi') => `/v1/tenants/${tenantId}/tickets/${type}/invalidations`;

describe('JS-SDK: tickets per tenant and wx.config signatures', () => {
  let h: Harness;
  let t: OnboardedTenant;
  let tokenKey: string;

  beforeAll(async () => {
    h = await startHarness();
    t = await onboardTenant(h, { permissionSets: [2, 4] });
    tokenKey = await createTokenKey(h, t.id);
  });
  afterAll(() => h?.close());

  it('signs the URL exactly as given with the account’s jsapi_ticket, for operator, tenant and token keys', async () => {
    const url = 'https://h5.merchant.example/member/?from=menu&x=%E4%B8%AD';
    for (const key of [h.operatorKey, t.apiKey, tokenKey]) {
      const res = await request(h.url).post(signatures(t.id)).set(bearer(key)).send({ url }).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(Object.keys(res.body).sort()).toEqual(['appId', 'nonceStr', 'signature', 'timestamp']);
      expect(res.body.appId).toBe(t.appId);
      expect(res.body.nonceStr).toMatch(/^[A-Za-z0-9]{16}$/);
      expect(Math.abs(res.body.timestamp - Date.now() / 1000)).toBeLessThan(60);
      const [ticket] = h.sim.jsTickets(t.appId, 'jsapi');
      expect(res.body.signature).toBe(
        jssdkSignature({ ticket, nonceStr: res.body.nonceStr, timestamp: res.body.timestamp, url }),
      );
    }
    // One getticket for all three: the ticket is kept.
    expect(getticketCalls(h, t.appId)).toHaveLength(1);
  });

  it('400, saying why, for a URL with #, a relative or non-http one; nothing fetched', async () => {
    const since = lastSeq(h.sim);
    for (const [url, why] of [
      ['https://h5.merchant.example/m#/route', '#'],
      ['/member', 'absolute'],
      ['ftp://h5.merchant.example/m', 'http'],
      ['https://h5.merchant.example/a b', 'spaces'],
    ]) {
      const res = await request(h.url).post(signatures(t.id)).set(bearer(t.apiKey)).send({ url }).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(res.body.error.details)).toContain(why);
    }
    await request(h.url).post(signatures(t.id)).set(bearer(t.apiKey)).send({}).expect(400);
    expect(getticketCalls(h, t.appId, since)).toHaveLength(0);
  });

  it('tickets: jsapi and wx_card for operator or token key (tenant key 403), no-store, sealed at rest', async () => {
    const jsapi = await request(h.url).get(ticketRoute(t.id)).set(bearer(tokenKey)).expect(200);
    expect(jsapi.headers['cache-control']).toBe('no-store');
    expect(jsapi.body).toEqual({
      appId: t.appId,
      type: 'jsapi',
      ticket: h.sim.jsTickets(t.appId, 'jsapi')[0],
      expiresAt: expect.any(String),
    });
    expect(Date.parse(jsapi.body.expiresAt) - Date.now()).toBeGreaterThan(5 * 60_000);
    const card = await request(h.url).get(ticketRoute(t.id, 'wx_card')).set(bearer(h.operatorKey)).expect(200);
    expect(card.body).toMatchObject({ appId: t.appId, type: 'wx_card', ticket: h.sim.jsTickets(t.appId, 'wx_card')[0] });
    expect((await request(h.url).get(ticketRoute(t.id)).set(bearer(t.apiKey))).status).toBe(403);
    await request(h.url).get(ticketRoute(t.id, 'other')).set(bearer(h.operatorKey)).expect(404);

    const rows = await sql<{ type: string; ticket: string }>(h, `SELECT type, ticket FROM jssdk_tickets WHERE tenant_id = $1`, [
      t.id,
    ]);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.ticket).toMatch(/^v2\./);
      expect(row.ticket).not.toContain(row.type === 'jsapi' ? jsapi.body.ticket : card.body.ticket);
    }
  });

  it('one ticket per tenant, never shared: another tenant gets its own account’s', async () => {
    const other = await onboardTenant(h, { permissionSets: [4] });
    const a = await request(h.url).get(ticketRoute(t.id)).set(bearer(h.operatorKey)).expect(200);
    const b = await request(h.url).get(ticketRoute(other.id)).set(bearer(h.operatorKey)).expect(200);
    expect(b.body.appId).toBe(other.appId);
    expect(b.body.ticket).not.toBe(a.body.ticket);
    expect(b.body.ticket).toBe(h.sim.jsTickets(other.appId, 'jsapi')[0]);
  });

  it('invalidations: replaced only if still current, one getticket however many ask; audited', async () => {
    const old = (await request(h.url).get(ticketRoute(t.id)).set(bearer(h.operatorKey)).expect(200)).body.ticket;
    const since = lastSeq(h.sim);
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => request(h.url).post(invalidations(t.id)).set(bearer(tokenKey)).send({ ticket: old })),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(new Set(replies.map((r) => r.body.ticket)).size).toBe(1);
    expect(replies[0].body.ticket).not.toBe(old);
    expect(getticketCalls(h, t.appId, since)).toHaveLength(1);
    // A stale rejection (not the current ticket) costs nothing.
    const again = await request(h.url).post(invalidations(t.id)).set(bearer(h.operatorKey)).send({ ticket: old }).expect(200);
    expect(again.body.ticket).toBe(replies[0].body.ticket);
    expect(getticketCalls(h, t.appId, since)).toHaveLength(1);
    await request(h.url).post(invalidations(t.id)).set(bearer(h.operatorKey)).send({}).expect(400);
    await request(h.url).post(invalidations(t.id)).set(bearer(t.apiKey)).send({ ticket: old }).expect(403);

    const audit = await request(h.url).get(`/v1/tenants/${t.id}/audit-events`).set(bearer(h.operatorKey)).expect(200);
    const refreshed = audit.body.items.filter((e: { action: string }) => e.action === 'jssdk.ticket_refreshed');
    expect(refreshed.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(audit.body)).not.toContain(old);
  });

  it('40001/42001 on getticket: one authorizer-token refresh and one retry', async () => {
    const fresh = await onboardTenant(h, { permissionSets: [4] });
    const since = lastSeq(h.sim);
    h.sim.addFault({ api: GETTICKET, type: 'errcode', errcode: 42001, count: 1, appId: fresh.appId });
    await request(h.url).get(ticketRoute(fresh.id)).set(bearer(h.operatorKey)).expect(200);
    expect(getticketCalls(h, fresh.appId, since)).toHaveLength(2);
    expect(h.sim.calls({ api: 'component/api_authorizer_token', appId: fresh.appId, since })).toHaveLength(1);
  });

  it('45009: 429 QUOTA_EXCEEDED with Retry-After, and no further getticket of either type until the reset', async () => {
    const spent = await onboardTenant(h, { permissionSets: [4] });
    h.sim.setQuota({ api: GETTICKET, appId: spent.appId, daily: 0 });
    const since = lastSeq(h.sim);
    const res = await request(h.url).get(ticketRoute(spent.id)).set(bearer(h.operatorKey)).expect(429);
    expect(res.body.error.code).toBe('QUOTA_EXCEEDED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    await request(h.url).get(ticketRoute(spent.id, 'wx_card')).set(bearer(h.operatorKey)).expect(429);
    await request(h.url).post(signatures(spent.id)).set(bearer(h.operatorKey)).send({ url: 'https://a.example/' }).expect(429);
    expect(getticketCalls(h, spent.appId, since)).toHaveLength(1);
  });

  it('the set gate (403) and the tenant status (409) apply before any call', async () => {
    const noWeb = await onboardTenant(h, { permissionSets: [2] });
    const pending = await createTenant(h, 'Pending');
    const since = lastSeq(h.sim);
    const missing = await request(h.url).get(ticketRoute(noWeb.id)).set(bearer(h.operatorKey)).expect(403);
    expect(missing.body.error.code).toBe('PERMISSION_SET_MISSING');
    await request(h.url).post(signatures(noWeb.id)).set(bearer(noWeb.apiKey)).send({ url: 'https://a.example/' }).expect(403);
    const inactive = await request(h.url)
      .post(signatures(pending.id))
      .set(bearer(pending.apiKey))
      .send({ url: 'https://a.example/' });
    expect(inactive.status).toBe(409);
    expect(inactive.body.error.code).toBe('TENANT_NOT_ACTIVE');
    expect(h.sim.calls({ since })).toHaveLength(0);
  });

  it('renewed ahead of expiry in the background (the jssdk-ticket-renewal loop)', async () => {
    const renewing = await onboardTenant(h, { permissionSets: [4] });
    const first = (await request(h.url).get(ticketRoute(renewing.id)).set(bearer(h.operatorKey)).expect(200)).body.ticket;
    await sql(h, `UPDATE jssdk_tickets SET expires_at = now() + interval '11 minutes' WHERE tenant_id = $1`, [renewing.id]);
    const since = lastSeq(h.sim);
    await h.app.get(JsTicketRenewer).run(new AbortController().signal);
    expect(getticketCalls(h, renewing.appId, since)).toHaveLength(1);
    const next = (await request(h.url).get(ticketRoute(renewing.id)).set(bearer(h.operatorKey)).expect(200)).body;
    expect(next.ticket).not.toBe(first);
    expect(Date.parse(next.expiresAt) - Date.now()).toBeGreaterThan(60 * 60_000);
  });

  it('two gateways on one database: a burst across both costs one getticket', async () => {
    const second = await startHarness({
      databaseUrl: h.databaseUrl,
      simulator: h.sim,
      config: (c) => ({ ...c, operatorApiKeys: [h.operatorKey], secretsKey: h.config.secretsKey }),
    });
    try {
      const burst = await onboardTenant(h, { permissionSets: [4] });
      const since = lastSeq(h.sim);
      const replies = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          i % 4 === 0
            ? request(i % 2 ? second.url : h.url)
                .get(ticketRoute(burst.id))
                .set(bearer(h.operatorKey))
            : request(i % 2 ? second.url : h.url)
                .post(signatures(burst.id))
                .set(bearer(h.operatorKey))
                .send({ url: 'https://h5.merchant.example/' }),
        ),
      );
      expect(replies.map((r) => r.status)).toEqual(Array(40).fill(200));
      expect(getticketCalls(h, burst.appId, since)).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});
