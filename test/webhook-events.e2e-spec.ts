import request from 'supertest';
import { TicketWatch } from '../apps/gateway/src/component/ticket-watch.service';
import { BATCH_BLOCK, waitForJob } from './support/blacklist-helpers';
import { type Harness, startHarness } from './support/gateway-harness';
import { bearer, onboardTenant, sql } from './support/onboarding';
import { type Receiver, startReceiver, until, verify } from './support/webhook-receiver';

/*
 * Every event type, emitted by the real change it reports (onboarding, WeChat pushes, token
 * refresh, jobs, the ticket watch), delivered over HTTP and verified with the standardwebhooks
 * package. One operator endpoint hears everything; one tenant endpoint hears its own tenant.
 */
describe('webhook events: each type from the change it reports', () => {
  let h: Harness;
  let rx: Receiver;
  let operatorSecret: string;

  interface Event {
    type: string;
    timestamp: string;
    data: Record<string, any>;
  }

  /** Events the operator endpoint received (each checked against its signature), optionally of one type. */
  const events = (type?: string): Event[] =>
    rx.received.map((r) => verify(operatorSecret, r) as Event).filter((e) => type === undefined || e.type === type);

  const eventFor = async (type: string, tenantId: string | null, timeoutMs = 10_000): Promise<Event> => {
    let found: Event | undefined;
    await until(() => {
      found = events(type).find((e) => tenantId === null || e.data.tenantId === tenantId);
      return found !== undefined;
    }, timeoutMs);
    return found!;
  };

  beforeAll(async () => {
    h = await startHarness({
      config: (c) => ({
        ...c,
        webhooks: { pollIntervalMs: 100, retryScheduleSeconds: [1] },
        blacklist: { ...c.blacklist, quotaResetAfterSeconds: 600, jobs: { pollingIntervalSeconds: 0.5 } },
        componentTicketStaleAfterSeconds: 60,
      }),
    });
    rx = await startReceiver();
    const ep = await request(h.url).post('/v1/webhook-endpoints').set(bearer(h.operatorKey)).send({ url: rx.url }).expect(201);
    operatorSecret = ep.body.secret;
    await h.sim.pushTicket();
  });
  afterAll(async () => {
    await rx?.close();
    await h?.close();
  });

  it('tenant.activated: first authorization, with the tenant as GET /v1/tenants/:id shows it', async () => {
    const t = await onboardTenant(h, { permissionSets: [1, 2] });
    const e = await eventFor('tenant.activated', t.id);
    const view = (await request(h.url).get(`/v1/tenants/${t.id}`).set(bearer(h.operatorKey)).expect(200)).body;
    expect(e.data).toEqual({ tenantId: t.id, tenant: view });
    expect(e.data.tenant.status).toBe('active');
    expect(Date.parse(e.timestamp)).not.toBeNaN();
    expect(events('tenant.permissions_changed').filter((x) => x.data.tenantId === t.id)).toEqual([]);
  });

  it('tenant.permissions_changed (updateauthorized) carries previous and current sets, and no second tenant.activated', async () => {
    const t = await onboardTenant(h, { permissionSets: [1, 2] });
    await eventFor('tenant.activated', t.id);
    await h.sim.reauthorize(t.appId, { permissionSets: [1, 15], push: 'now' });
    const e = await eventFor('tenant.permissions_changed', t.id);
    expect(e.data).toMatchObject({ tenantId: t.id, previous: [1, 2], current: [1, 15] });
    expect(e.data.tenant.authorizer.permissionSets).toEqual([1, 15]);
    expect(events('tenant.activated').filter((x) => x.data.tenantId === t.id)).toHaveLength(1);
  });

  it('tenant.permissions_changed after a 61007 re-read shows the sets WeChat now reports', async () => {
    const t = await onboardTenant(h, { permissionSets: [1, 2], followers: 2 });
    await eventFor('tenant.activated', t.id);
    // The merchant withdrew set 2 at WeChat without a push reaching us: the block answers 61007.
    h.sim.updateAuthorizer(t.appId, { permissionSets: [1] });
    await request(h.url).post(`/v1/tenants/${t.id}/blacklist/block`).set(bearer(h.operatorKey)).send({ openids: t.followers });
    const e = await eventFor('tenant.permissions_changed', t.id);
    expect(e.data).toMatchObject({ previous: [1, 2], current: [1] });
  });

  it('tenant.revoked on the unauthorized push; re-authorizing sends tenant.activated again', async () => {
    const t = await onboardTenant(h, { permissionSets: [1, 2] });
    await eventFor('tenant.activated', t.id);
    await h.sim.revoke(t.appId, { push: 'now' });
    const e = await eventFor('tenant.revoked', t.id);
    expect(e.data.tenant.status).toBe('revoked');
    await h.sim.reauthorize(t.appId, { permissionSets: [1, 2], push: 'now' });
    await until(() => events('tenant.activated').filter((x) => x.data.tenantId === t.id).length === 2);
  });

  it('tenant.reauthorization_required when WeChat refuses the refresh token (61023)', async () => {
    const t = await onboardTenant(h, { permissionSets: [1, 2] });
    h.sim.expireTokens({ kind: 'authorizer', appId: t.appId });
    h.sim.addFault({ api: 'component/api_authorizer_token', type: 'errcode', errcode: 61023, appId: t.appId });
    try {
      await request(h.url).get(`/v1/tenants/${t.id}/blacklist`).set(bearer(h.operatorKey)).expect(409);
    } finally {
      h.sim.clearFaults();
    }
    const e = await eventFor('tenant.reauthorization_required', t.id);
    expect(e.data.tenant.status).toBe('reauthorization_required');
  });

  it('blacklist.job.paused on the daily quota (with resumeAt), then blacklist.job.finished with the final view', async () => {
    const t = await onboardTenant(h, { permissionSets: [1, 2], followers: 60 });
    h.sim.setQuota({ api: BATCH_BLOCK, daily: 1, appId: t.appId });
    const created = await request(h.url)
      .post(`/v1/tenants/${t.id}/blacklist/jobs`)
      .set(bearer(h.operatorKey))
      .send({ action: 'block', openids: t.followers })
      .expect(202);
    const paused = await eventFor('blacklist.job.paused', t.id);
    expect(paused.data.job).toMatchObject({ id: created.body.id, status: 'paused', resumeAt: expect.any(String) });

    // Nobody waits for the reset: cancelling finishes the job, which is also reported.
    await request(h.url).delete(`/v1/tenants/${t.id}/blacklist/jobs/${created.body.id}`).set(bearer(h.operatorKey)).expect(202);
    const { job } = await waitForJob(h.url, h.operatorKey, t.id, created.body.id);
    const finished = await eventFor('blacklist.job.finished', t.id);
    expect(finished.data).toEqual({ tenantId: t.id, job });
    h.sim.setQuota({ api: BATCH_BLOCK, daily: 100_000, appId: t.appId });
  });

  it('component.ticket_stale once per stale ticket, to operator endpoints only', async () => {
    const tenantRx = await startReceiver();
    try {
      const t = await onboardTenant(h, { permissionSets: [1, 2] });
      await request(h.url)
        .post(`/v1/tenants/${t.id}/webhook-endpoints`)
        .set(bearer(t.apiKey))
        .send({ url: tenantRx.url })
        .expect(201);
      // Pushes stopped two minutes ago (the threshold is 60 s in this suite).
      await sql(h, `UPDATE component_state SET ticket_received_at = now() - interval '120 seconds'`);
      const watch = h.app.get(TicketWatch);
      await watch.check();
      await watch.check();
      const e = await eventFor('component.ticket_stale', null);
      expect(e.data.ticketAgeSeconds).toBeGreaterThanOrEqual(120);
      const status = await request(h.url).get('/v1/component/status').set(bearer(h.operatorKey)).expect(200);
      expect(status.body.ticket.stale).toBe(true);
      // A new ticket clears it; the next gap is reported again.
      await h.sim.pushTicket();
      await watch.check();
      await sql(h, `UPDATE component_state SET ticket_received_at = now() - interval '90 seconds'`);
      await watch.check();
      await until(() => events('component.ticket_stale').length === 2);
      await new Promise((r) => setTimeout(r, 300));
      expect(events('component.ticket_stale')).toHaveLength(2);
      expect(tenantRx.received.map((r) => JSON.parse(r.body).type)).not.toContain('component.ticket_stale');
    } finally {
      await tenantRx.close();
    }
  });

  it('a tenant endpoint hears its own tenant only', async () => {
    const mine = await startReceiver();
    try {
      const a = await onboardTenant(h, { permissionSets: [1, 2] });
      const ep = await request(h.url)
        .post(`/v1/tenants/${a.id}/webhook-endpoints`)
        .set(bearer(a.apiKey))
        .send({ url: mine.url, types: ['tenant.revoked'] })
        .expect(201);
      const b = await onboardTenant(h, { permissionSets: [1, 2] });
      await h.sim.revoke(b.appId, { push: 'now' });
      await h.sim.revoke(a.appId, { push: 'now' });
      await until(() => mine.received.length >= 1);
      await eventFor('tenant.revoked', b.id);
      await new Promise((r) => setTimeout(r, 300));
      const got = mine.received.map((r) => verify(ep.body.secret, r) as Event);
      expect(got.map((e) => [e.type, e.data.tenantId])).toEqual([['tenant.revoked', a.id]]);
    } finally {
      await mine.close();
    }
  });
});
