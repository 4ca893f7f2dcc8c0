import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import {
  authorizeThroughPage,
  bearer,
  callsTo,
  createTenant,
  settlePushes,
  startSession,
  tenantView,
} from './onboarding.support';

describe('onboarding: sessions, page, callback and authorization pushes (simulator over HTTP)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.sim.pushTicket();
  });
  afterAll(() => h.close());

  it.each(['after', 'before'] as const)('push %s the callback: tenant active, code exchanged exactly once', async (push) => {
    const t = await createTenant(h, `Order ${push}`);
    const s = await startSession(h, t.id);
    const cb = await authorizeThroughPage(h, s.onboardingUrl, { push, nickName: `Shop ${push}` });
    await settlePushes(h);
    expect(cb.status).toBe(200);
    expect(cb.html).toContain(`Shop ${push}`);
    expect(cb.html).toContain('Blacklist management is available');
    const view = await tenantView(h, t.id);
    expect(view.status).toBe('active');
    expect(view.authorizer).toMatchObject({ appId: cb.appId, nickName: `Shop ${push}`, verified: true });
    expect(view.capabilities).toEqual({ blacklist: true });
    expect(h.sim.calls({ api: 'component/api_query_auth', appId: cb.appId })).toHaveLength(1);
    expect(
      h.sim
        .pushes()
        .filter((p) => p.authorizerAppId === cb.appId)
        .every((p) => p.acknowledged),
    ).toBe(true);
  });
});
