import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, createTenant } from './support/webhook-receiver';

const MISSING = '00000000-0000-4000-8000-000000000000';

/** Webhook endpoint routes over real HTTP: CRUD, pagination, validation, 404s and tenant isolation. */
describe('webhook endpoints API', () => {
  let h: Harness;
  let op: Record<string, string>;
  beforeAll(async () => {
    h = await startHarness();
    op = bearer(h.operatorKey);
  });
  afterAll(() => h?.close());

  const api = () => request(h.url);
  const errorCode = (res: request.Response) => res.body.error?.code;

  it('operator endpoints: create (secret once), list without secrets, get, patch, rotate, delete', async () => {
    const created = await api()
      .post('/v1/webhook-endpoints')
      .set(op)
      .send({ url: 'https://example.com/a', description: 'ops' })
      .expect(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      url: 'https://example.com/a',
      types: [],
      description: 'ops',
      enabled: true,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+=*$/),
      createdAt: expect.any(String),
    });
    expect(Buffer.from(created.body.secret.slice(6), 'base64')).toHaveLength(32);
    const id = created.body.id;

    const t = await createTenant(h.url, h.operatorKey);
    await api().post(`/v1/tenants/${t.id}/webhook-endpoints`).set(op).send({ url: 'https://example.com/t' }).expect(201);
    const list = await api().get('/v1/webhook-endpoints').set(op).expect(200);
    // Only operator endpoints, and never a secret.
    expect(list.body.items.map((e: { url: string }) => e.url)).toEqual(['https://example.com/a']);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');

    const got = await api().get(`/v1/webhook-endpoints/${id}`).set(op).expect(200);
    expect(got.body).not.toHaveProperty('secret');
    const patched = await api()
      .patch(`/v1/webhook-endpoints/${id}`)
      .set(op)
      .send({ url: 'http://example.com/b', types: ['component.ticket_stale'], enabled: false, description: null })
      .expect(200);
    expect(patched.body).toMatchObject({
      url: 'http://example.com/b',
      types: ['component.ticket_stale'],
      enabled: false,
      description: null,
    });

    const rotated = await api().post(`/v1/webhook-endpoints/${id}/secret`).set(op).expect(201);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);

    await api().delete(`/v1/webhook-endpoints/${id}`).set(op).expect(204);
    expect(errorCode(await api().get(`/v1/webhook-endpoints/${id}`).set(op).expect(404))).toBe('WEBHOOK_ENDPOINT_NOT_FOUND');
  });

  it('pages by cursor (limit 1–100, default 50)', async () => {
    const t = await createTenant(h.url, h.operatorKey);
    const base = `/v1/tenants/${t.id}/webhook-endpoints`;
    for (let i = 0; i < 5; i++)
      await api()
        .post(base)
        .set(bearer(t.key))
        .send({ url: `https://example.com/${i}` })
        .expect(201);
    const urls: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await api()
        .get(base)
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set(bearer(t.key))
        .expect(200);
      urls.push(...res.body.items.map((e: { url: string }) => e.url));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(urls).toEqual([0, 1, 2, 3, 4].map((i) => `https://example.com/${i}`));
    expect((await api().get(base).set(bearer(t.key)).expect(200)).body.items).toHaveLength(5);
    for (const q of [{ limit: 0 }, { limit: 101 }, { cursor: 'nope' }]) {
      expect(errorCode(await api().get(base).query(q).set(bearer(t.key)).expect(400))).toBe('VALIDATION_FAILED');
    }
  });

  it('validates url, types and unknown fields', async () => {
    const t = await createTenant(h.url, h.operatorKey);
    const bad = [
      { url: 'ftp://example.com/x' },
      { url: 'not a url' },
      { url: '/relative' },
      { url: `https://example.com/${'a'.repeat(2040)}` },
      { url: 'https://example.com/', types: ['tenant.nope'] },
      { url: 'https://example.com/', types: 'tenant.revoked' },
      { url: 'https://example.com/', secret: 'whsec_mine' },
      // Component events are the operator's only.
      { url: 'https://example.com/', types: ['component.ticket_stale'] },
    ];
    for (const body of bad) {
      const res = await api().post(`/v1/tenants/${t.id}/webhook-endpoints`).set(bearer(t.key)).send(body);
      expect([res.status, errorCode(res), body]).toEqual([400, 'VALIDATION_FAILED', body]);
    }
    const ok = await api()
      .post(`/v1/tenants/${t.id}/webhook-endpoints`)
      .set(bearer(t.key))
      .send({ url: 'https://example.com/', types: ['tenant.revoked'] })
      .expect(201);
    const patch = await api()
      .patch(`/v1/tenants/${t.id}/webhook-endpoints/${ok.body.id}`)
      .set(bearer(t.key))
      .send({ types: ['component.ticket_stale'] });
    expect([patch.status, errorCode(patch)]).toEqual([400, 'VALIDATION_FAILED']);
    await api()
      .post('/v1/webhook-endpoints')
      .set(op)
      .send({ url: 'https://example.com/', types: ['component.ticket_stale'] })
      .expect(201);
  });

  it('isolates tenants on every route, and keeps tenant keys off the operator collection', async () => {
    const a = await createTenant(h.url, h.operatorKey);
    const b = await createTenant(h.url, h.operatorKey);
    const bEndpoint = (
      await api()
        .post(`/v1/tenants/${b.id}/webhook-endpoints`)
        .set(bearer(b.key))
        .send({ url: 'https://example.com/b' })
        .expect(201)
    ).body.id;
    const opEndpoint = (await api().post('/v1/webhook-endpoints').set(op).send({ url: 'https://example.com/op' }).expect(201))
      .body.id;
    const routes = (tenantId: string, id: string) => [
      api().get(`/v1/tenants/${tenantId}/webhook-endpoints/${id}`),
      api().patch(`/v1/tenants/${tenantId}/webhook-endpoints/${id}`).send({ enabled: false }),
      api().delete(`/v1/tenants/${tenantId}/webhook-endpoints/${id}`),
      api().post(`/v1/tenants/${tenantId}/webhook-endpoints/${id}/secret`),
      api().get(`/v1/tenants/${tenantId}/webhook-endpoints/${id}/deliveries`),
      api().post(`/v1/tenants/${tenantId}/webhook-endpoints/${id}/deliveries/${MISSING}/redeliver`),
    ];
    // A's key, A's path, someone else's endpoint (or a missing or malformed id): not found.
    for (const id of [bEndpoint, opEndpoint, MISSING, 'not-a-uuid']) {
      for (const req of routes(a.id, id)) {
        const res = await req.set(bearer(a.key));
        expect([res.status, errorCode(res)]).toEqual([404, 'WEBHOOK_ENDPOINT_NOT_FOUND']);
      }
    }
    // Even the operator cannot reach B's endpoint through A's path, nor an operator endpoint through a tenant's.
    for (const id of [bEndpoint, opEndpoint]) {
      const res = await api().get(`/v1/tenants/${a.id}/webhook-endpoints/${id}`).set(op);
      expect([res.status, errorCode(res)]).toEqual([404, 'WEBHOOK_ENDPOINT_NOT_FOUND']);
    }
    // An id is a UUID in any case: upper case names the same endpoint.
    const upper = await api().get(`/v1/webhook-endpoints/${opEndpoint.toUpperCase()}`).set(op).expect(200);
    expect(upper.body.id).toBe(opEndpoint);
    const tenantOnOperatorRoute = await api().get(`/v1/webhook-endpoints/${bEndpoint}`).set(op);
    expect(tenantOnOperatorRoute.status).toBe(404);
    // A's key on B's path: the tenant itself is not found, as on every tenant route.
    for (const req of routes(b.id, bEndpoint)) {
      const res = await req.set(bearer(a.key));
      expect([res.status, errorCode(res)]).toEqual([404, 'TENANT_NOT_FOUND']);
    }
    const listed = await api().get(`/v1/tenants/${a.id}/webhook-endpoints`).set(bearer(a.key)).expect(200);
    expect(listed.body.items).toEqual([]);
    for (const req of [
      api().get('/v1/webhook-endpoints'),
      api().post('/v1/webhook-endpoints').send({ url: 'https://example.com/' }),
      api().get(`/v1/webhook-endpoints/${opEndpoint}`),
      api().delete(`/v1/webhook-endpoints/${opEndpoint}`),
      api().post(`/v1/webhook-endpoints/${opEndpoint}/secret`),
    ]) {
      const res = await req.set(bearer(a.key));
      expect([res.status, errorCode(res)]).toEqual([403, 'FORBIDDEN']);
    }
    // B's endpoint is untouched.
    const still = await api().get(`/v1/tenants/${b.id}/webhook-endpoints/${bEndpoint}`).set(bearer(b.key)).expect(200);
    expect(still.body.enabled).toBe(true);
  });

  it('documents every webhook route under the webhooks tag', async () => {
    const doc = (await api().get('/docs-json').expect(200)).body;
    const paths = Object.keys(doc.paths).filter((p) => p.includes('webhook-endpoints'));
    expect(paths).toHaveLength(10);
    for (const p of paths)
      for (const op of Object.values(doc.paths[p]) as { tags: string[] }[]) expect(op.tags).toEqual(['webhooks']);
  });
});

describe('webhook URLs in production mode', () => {
  let prod: Harness;
  let allowed: Harness;
  beforeAll(async () => {
    prod = await startHarness({ config: (c) => ({ ...c, mode: 'production' }) });
    allowed = await startHarness({ config: (c) => ({ ...c, mode: 'production', webhooks: { allowPrivateUrls: true } }) });
  });
  afterAll(async () => {
    await prod?.close();
    await allowed?.close();
  });

  it('refuses loopback, private, link-local, mapped and names resolving to them; WEBHOOK_ALLOW_PRIVATE_URLS lifts it', async () => {
    const t = await createTenant(prod.url, prod.operatorKey);
    for (const url of [
      'http://127.0.0.1/',
      'http://10.0.0.1/',
      'http://[::1]/',
      'http://169.254.169.254/latest/meta-data',
      'http://localhost:8080/',
      'http://192.168.1.10/',
      'http://100.64.0.1/',
      'http://0.0.0.0/',
      'http://[::ffff:127.0.0.1]/',
      'http://[fd00::1]/',
      'http://[fe80::1]/',
    ]) {
      for (const [path, key] of [
        ['/v1/webhook-endpoints', prod.operatorKey],
        [`/v1/tenants/${t.id}/webhook-endpoints`, t.key],
      ]) {
        const res = await request(prod.url).post(path).set(bearer(key)).send({ url });
        expect([url, res.status, res.body.error?.code]).toEqual([url, 400, 'WEBHOOK_URL_NOT_ALLOWED']);
      }
    }
    const pub = await request(prod.url)
      .post('/v1/webhook-endpoints')
      .set(bearer(prod.operatorKey))
      .send({ url: 'https://93.184.215.14/h' });
    expect(pub.status).toBe(201);
    const patch = await request(prod.url)
      .patch(`/v1/webhook-endpoints/${pub.body.id}`)
      .set(bearer(prod.operatorKey))
      .send({ url: 'http://127.0.0.1/' });
    expect(patch.body.error?.code).toBe('WEBHOOK_URL_NOT_ALLOWED');
    await request(allowed.url)
      .post('/v1/webhook-endpoints')
      .set(bearer(allowed.operatorKey))
      .send({ url: 'http://127.0.0.1/' })
      .expect(201);
  });
});
