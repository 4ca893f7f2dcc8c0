import { startHarness, type Harness } from './support/gateway-harness';
import { createTenant, eventually, fetchPage, linkHref, startSession, tenantView } from './support/onboarding';

/** WeChat expects `success` within 5 s; a slow code exchange must not hold the answer back. */
describe('component pushes are answered within WeChat’s 5 s even when processing is slow', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.sim.pushTicket();
  });
  afterAll(() => h.close());

  it('acknowledges an authorized push while api_query_auth is still slow, then finishes the exchange once', async () => {
    const t = await createTenant(h, 'Slow Exchange Tea');
    const s = await startSession(h, t.id);
    h.sim.setNextAuthorization({ push: 'hold' });
    const page = await fetchPage(s.onboardingUrl);
    const atWeChat = await fetch(linkHref(page.html, 'authorize-pc'), { redirect: 'manual' });
    expect(atWeChat.status).toBe(302);
    h.sim.addFault({ api: 'component/api_query_auth', type: 'delay', delayMs: 6000, count: 1 });

    const started = Date.now();
    const released = await h.sim.releaseHeldPushes();
    const answeredAfter = Date.now() - started;
    expect(released).toHaveLength(1);
    expect(released[0].acknowledged).toBe(true);
    expect(answeredAfter).toBeLessThan(5000);
    expect((await tenantView(h, t.id)).status).toBe('pending');

    const view = await eventually(async () => {
      const v = await tenantView(h, t.id);
      if (v.status !== 'active') throw new Error(`still ${v.status}`);
      return v;
    }, 10_000);
    expect(h.sim.calls({ api: 'component/api_query_auth', appId: view.authorizer.appId })).toHaveLength(1);
  }, 30_000);
});
