import request from 'supertest';
import { findFreePort } from '@app/database';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer } from './support/onboarding';

describe('failed-authentication rate limit per client address', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: (c) => ({ ...c, rateLimits: { failedAuthPerMinute: 5 } }) });
  });
  afterAll(() => h.close());

  it('after the limit of wrong keys, wrong keys from the address get 429 with Retry-After, logged and counted; right keys are served', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await request(h.url)
        .get('/v1/tenants')
        .set(bearer(`wrong-key-${i}-xxxxxxxx`));
      expect(res.status).toBe(401);
    }
    const blocked = await request(h.url).get('/v1/tenants').set(bearer('wrong-key-again-xxxxxxx'));
    expect(blocked.status).toBe(429);
    expect(blocked.body.error).toEqual(expect.objectContaining({ code: 'RATE_LIMITED', requestId: expect.any(String) }));
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(60);
    // The failures are throttled, not the address: a provider's backend behind the same address
    // keeps working with its right keys (operator and tenant alike).
    await request(h.url).get('/v1/tenants').set(bearer(h.operatorKey)).expect(200);
    const created = await request(h.url).post('/v1/tenants').set(bearer(h.operatorKey)).send({ name: 'x' }).expect(201);
    await request(h.url).get(`/v1/tenants/${created.body.id}`).set(bearer(created.body.apiKey)).expect(200);
    // Wrong keys stay refused, and cost nothing more: not counted as failures, the window not extended.
    for (let i = 0; i < 3; i++) {
      const again = await request(h.url)
        .post('/v1/tenants')
        .set(bearer(`wrong-key-more-${i}-xxxxx`))
        .send({ name: 'x' });
      expect(again.status).toBe(429);
      expect(Number(again.headers['retry-after'])).toBeLessThanOrEqual(Number(blocked.headers['retry-after']));
    }
    // Public routes are not affected.
    await request(h.url).get('/health/live').expect(200);
    expect(h.logs.text()).toContain('too many failed authentications from one address');
    const metrics = await request(h.url).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/auth_failures_total\{outcome="rejected"\} 5/);
    expect(metrics.text).toMatch(/auth_failures_total\{outcome="rate_limited"\} 4/);
  });
});

describe('/metrics behind METRICS_TOKEN, or on METRICS_PORT', () => {
  it('METRICS_TOKEN: /metrics needs the bearer token', async () => {
    const token = 'metrics-token-0123456789';
    const h = await startHarness({ config: (c) => ({ ...c, metrics: { token } }) });
    try {
      const none = await request(h.url).get('/metrics');
      expect(none.status).toBe(401);
      expect(none.body.error.code).toBe('UNAUTHENTICATED');
      expect((await request(h.url).get('/metrics').set(bearer('metrics-token-wrong-000'))).status).toBe(401);
      const ok = await request(h.url).get('/metrics').set(bearer(token)).expect(200);
      expect(ok.text).toContain('http_requests_total');
    } finally {
      await h.close();
    }
  });

  it('METRICS_PORT: served there, and 404 on the API port', async () => {
    const port = await findFreePort();
    const h = await startHarness({ config: (c) => ({ ...c, metrics: { port } }) });
    try {
      const onApi = await request(h.url).get('/metrics');
      expect(onApi.status).toBe(404);
      expect(onApi.body.error.code).toBe('NOT_FOUND');
      const ok = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('http_requests_total');
      const other = await fetch(`http://127.0.0.1:${port}/v1/tenants`);
      expect(other.status).toBe(404);
      expect(((await other.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    } finally {
      await h.close();
    }
    // Closed with the app.
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });
});
