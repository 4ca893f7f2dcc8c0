import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { authorizeAtWeChat, authorizeThroughPage, bearer, createTenant, settlePushes, startSession } from './support/onboarding';

/**
 * A provider's onboarding flow reads the tenant right after the merchant's browser comes back:
 * whichever path exchanged the code (the browser's callback or WeChat's push, racing it), the
 * tenant it reads must already show the account (name, verification, capabilities).
 */
describe('onboarding: the tenant read right after the callback shows the account', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.sim.pushTicket();
  });
  afterAll(() => h.close());

  async function onboardAndRead(push: 'before' | 'after', nickName: string) {
    const t = await createTenant(h, nickName);
    const s = await startSession(h, t.id);
    const cb = await authorizeThroughPage(h, s.onboardingUrl, { push, verified: true, nickName });
    expect(cb.status).toBe(200);
    const view = (await request(h.url).get(`/v1/tenants/${t.id}`).set(bearer(t.apiKey)).expect(200)).body;
    return view;
  }

  it.each(['before', 'after'] as const)(
    'push %s the redirect, account info slow: the next read is complete',
    async (push) => {
      // The account-info read after the grant takes a while, so a reader that does not wait for it sees a half-stored account.
      h.sim.addFault({ api: 'component/api_get_authorizer_info', type: 'delay', delayMs: 300 });
      try {
        for (let i = 0; i < 5; i++) {
          const nickName = `店铺${push}${i}`;
          const view = await onboardAndRead(push, nickName);
          expect(view.status).toBe('active');
          expect(view.authorizer).toMatchObject({ nickName, verified: true });
          expect(view.capabilities.blacklist).toBe(true);
        }
      } finally {
        h.sim.clearFaults();
        await settlePushes(h);
      }
    },
    60_000,
  );

  it('the push exchanged the code and is still reading the account when the browser comes back', async () => {
    h.sim.addFault({ api: 'component/api_get_authorizer_info', type: 'delay', delayMs: 400 });
    try {
      for (let i = 0; i < 5; i++) {
        const nickName = `推送店铺${i}`;
        const t = await createTenant(h, nickName);
        const s = await startSession(h, t.id);
        const { callbackUrl } = await authorizeAtWeChat(h, s.onboardingUrl, { push: 'after', verified: true, nickName });
        // The push is answered only after its exchange; give it time to commit the grant and start the info read.
        await new Promise((r) => setTimeout(r, 150));
        const cb = await fetch(callbackUrl, { redirect: 'manual' });
        expect(cb.status).toBe(200);
        const view = (await request(h.url).get(`/v1/tenants/${t.id}`).set(bearer(t.apiKey)).expect(200)).body;
        expect(view.authorizer).toMatchObject({ nickName, verified: true });
        expect(view.capabilities.blacklist).toBe(true);
        await settlePushes(h);
      }
    } finally {
      h.sim.clearFaults();
    }
  }, 60_000);
});
