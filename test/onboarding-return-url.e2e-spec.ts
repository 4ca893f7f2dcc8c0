import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, createTenant } from './support/onboarding';

const sessions = (h: Harness, tenantId: string, key: string, body: object) =>
  request(h.url).post(`/v1/tenants/${tenantId}/authorization-sessions`).set(bearer(key)).send(body);

/** The onboarding link ends on returnUrl: a tenant key may only point it where the operator allowed. */
describe('onboarding returnUrl: who may set it, and where it may point', () => {
  describe('ONBOARDING_RETURN_URL_ORIGINS unset', () => {
    let h: Harness;
    let t: { id: string; apiKey: string };
    beforeAll(async () => {
      h = await startHarness();
      t = await createTenant(h, 'Return URL');
    });
    afterAll(() => h?.close());

    it('a tenant key may not set returnUrl at all: 400 RETURN_URL_NOT_ALLOWED', async () => {
      const res = await sessions(h, t.id, t.apiKey, { returnUrl: 'https://evil.example/phish' });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('RETURN_URL_NOT_ALLOWED');
      await sessions(h, t.id, t.apiKey, {}).expect(201);
    });

    it("an operator key keeps today's rule: any http(s) origin", async () => {
      await sessions(h, t.id, h.operatorKey, { returnUrl: 'https://provider.example/done' }).expect(201);
    });

    it('a leading or trailing space is refused, not trimmed', async () => {
      for (const returnUrl of [' https://provider.example/done', 'https://provider.example/done ']) {
        const res = await sessions(h, t.id, h.operatorKey, { returnUrl });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_FAILED');
      }
    });
  });

  describe('ONBOARDING_RETURN_URL_ORIGINS set', () => {
    let h: Harness;
    let t: { id: string; apiKey: string };
    beforeAll(async () => {
      h = await startHarness({ config: (c) => ({ ...c, onboardingReturnUrlOrigins: ['https://shop.example.com'] }) });
      t = await createTenant(h, 'Return URL allowlist');
    });
    afterAll(() => h?.close());

    it('a tenant key may point it at a listed origin, nowhere else', async () => {
      await sessions(h, t.id, t.apiKey, { returnUrl: 'https://shop.example.com/done' }).expect(201);
      const res = await sessions(h, t.id, t.apiKey, { returnUrl: 'https://evil.example/phish' });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('RETURN_URL_NOT_ALLOWED');
    });

    it('an operator key is held to the list too, as before', async () => {
      await sessions(h, t.id, h.operatorKey, { returnUrl: 'https://shop.example.com/x' }).expect(201);
      expect((await sessions(h, t.id, h.operatorKey, { returnUrl: 'https://evil.example/x' })).status).toBe(400);
    });
  });
});
