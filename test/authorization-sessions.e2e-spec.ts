import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, createTenant, fetchPage, startSession } from './support/onboarding';

const path = (tenantId: string) => `/v1/tenants/${tenantId}/authorization-sessions`;

/** Open onboarding sessions can be listed and closed, so a tenant at the cap is never stuck. */
describe('authorization sessions: list open, close', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.sim.pushTicket();
  });
  afterAll(() => h.close());

  it('lists open sessions newest first, without their links', async () => {
    const t = await createTenant(h, 'Lister');
    const a = await startSession(h, t.id);
    const b = await startSession(h, t.id, { authType: 2 });
    const res = await request(h.url)
      .get(`${path(t.id)}?status=open`)
      .set(bearer(h.operatorKey))
      .expect(200);
    expect(res.body.items.map((s: { id: string }) => s.id)).toEqual([b.id, a.id]);
    expect(res.body.items[0]).toEqual({
      id: b.id,
      status: 'open',
      authType: 2,
      returnUrl: null,
      createdAt: expect.any(String),
      expiresAt: b.expiresAt,
    });
    expect(JSON.stringify(res.body)).not.toContain(b.onboardingUrl.split('/').pop());
    // The tenant's own key sees the same; another tenant's key does not.
    await request(h.url)
      .get(`${path(t.id)}?status=open`)
      .set(bearer(t.apiKey))
      .expect(200);
    const other = await createTenant(h, 'Other');
    await request(h.url)
      .get(`${path(t.id)}?status=open`)
      .set(bearer(other.apiKey))
      .expect(404);
    const bad = await request(h.url)
      .get(`${path(t.id)}?status=bogus`)
      .set(bearer(h.operatorKey))
      .expect(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('DELETE closes a session (204): its link answers 410, it leaves the list, and the close is audited', async () => {
    const t = await createTenant(h, 'Closer');
    const s = await startSession(h, t.id);
    expect((await fetchPage(s.onboardingUrl)).status).toBe(200);
    await request(h.url)
      .delete(`${path(t.id)}/${s.id}`)
      .set(bearer(t.apiKey))
      .set('X-Request-Id', 'close-1')
      .expect(204);
    const page = await fetchPage(s.onboardingUrl);
    expect(page.status).toBe(410);
    const list = await request(h.url)
      .get(`${path(t.id)}?status=open`)
      .set(bearer(h.operatorKey))
      .expect(200);
    expect(list.body.items).toEqual([]);
    // Closing again changes nothing and still succeeds; only the first close is audited.
    await request(h.url)
      .delete(`${path(t.id)}/${s.id}`)
      .set(bearer(h.operatorKey))
      .expect(204);
    const audit = await request(h.url).get(`/v1/tenants/${t.id}/audit-events`).set(bearer(h.operatorKey)).expect(200);
    const closes = audit.body.items.filter((e: { action: string }) => e.action === 'authorization_session.closed');
    expect(closes).toEqual([expect.objectContaining({ actor: 'tenant', sessionId: s.id, requestId: 'close-1' })]);
  });

  it('another tenant’s session, an unknown id or a malformed id or another tenant’s key is 404', async () => {
    const t = await createTenant(h, 'Owner');
    const other = await createTenant(h, 'Stranger');
    const s = await startSession(h, t.id);
    const notFound = await request(h.url)
      .delete(`${path(other.id)}/${s.id}`)
      .set(bearer(h.operatorKey))
      .expect(404);
    expect(notFound.body.error.code).toBe('AUTHORIZATION_SESSION_NOT_FOUND');
    await request(h.url)
      .delete(`${path(t.id)}/00000000-0000-4000-8000-000000000000`)
      .set(bearer(h.operatorKey))
      .expect(404);
    await request(h.url)
      .delete(`${path(t.id)}/not-a-uuid`)
      .set(bearer(h.operatorKey))
      .expect(404);
    await request(h.url)
      .delete(`${path(t.id)}/${s.id}`)
      .set(bearer(other.apiKey))
      .expect(404);
    expect((await fetchPage(s.onboardingUrl)).status).toBe(200);
  });

  it('at the cap, closing one makes room for a new session', async () => {
    const t = await createTenant(h, 'Capped');
    const sessions = [];
    for (let i = 0; i < 20; i++) sessions.push(await startSession(h, t.id));
    const full = await request(h.url).post(path(t.id)).set(bearer(h.operatorKey)).send({}).expect(409);
    expect(full.body.error.message).toMatch(/close one/);
    await request(h.url)
      .delete(`${path(t.id)}/${sessions[0].id}`)
      .set(bearer(h.operatorKey))
      .expect(204);
    await startSession(h, t.id);
  });
});
