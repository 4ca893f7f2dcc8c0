import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

describe('tenants: creation, keys, listing, deletion and tenant isolation (real HTTP, real PostgreSQL)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const create = (body: object) => request(h.url).post('/v1/tenants').set(bearer(h.operatorKey)).send(body);

  it('POST /v1/tenants creates a pending tenant and shows a wtg_ key once', async () => {
    const res = await create({ name: 'Acme', externalId: 'acme-1' }).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Acme',
      externalId: 'acme-1',
      status: 'pending',
      apiKey: expect.stringMatching(/^wtg_[A-Za-z0-9_-]{32,}$/),
      keyId: expect.stringMatching(/^[0-9a-f]{16}$/),
      createdAt: expect.any(String),
    });
    const got = await request(h.url).get(`/v1/tenants/${res.body.id}`).set(bearer(h.operatorKey)).expect(200);
    expect(got.body).toEqual({
      id: res.body.id,
      name: 'Acme',
      externalId: 'acme-1',
      status: 'pending',
      authorizer: null,
      capabilities: { blacklist: false },
      webOAuthOrigins: [],
      createdAt: res.body.createdAt,
    });
    expect(JSON.stringify(got.body)).not.toContain(res.body.apiKey);
  });

  it('an externalId already used → 409 TENANT_EXISTS', async () => {
    await create({ name: 'One', externalId: 'dup-1' }).expect(201);
    const res = await create({ name: 'Two', externalId: 'dup-1' }).expect(409);
    expect(res.body.error.code).toBe('TENANT_EXISTS');
  });

  it.each([
    [{}],
    [{ name: '' }],
    [{ name: 'x'.repeat(101) }],
    [{ name: 'ok', externalId: '' }],
    [{ name: 'ok', externalId: 'x'.repeat(129) }],
    [{ name: 'ok', extra: 1 }],
  ])('invalid body %j → 400 VALIDATION_FAILED', async (body) => {
    const res = await create(body).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('no key or an unknown key → 401 UNAUTHENTICATED', async () => {
    expect((await request(h.url).get('/v1/tenants').expect(401)).body.error.code).toBe('UNAUTHENTICATED');
    expect((await request(h.url).get('/v1/tenants').set(bearer('wtg_nope')).expect(401)).body.error.code).toBe('UNAUTHENTICATED');
    expect((await request(h.url).get('/v1/tenants').set({ Authorization: 'Basic abc' }).expect(401)).body.error.code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('a tenant key reads its own tenant, gets 404 on others and 403 on operator routes', async () => {
    const a = (await create({ name: 'A' }).expect(201)).body;
    const b = (await create({ name: 'B' }).expect(201)).body;
    await request(h.url).get(`/v1/tenants/${a.id}`).set(bearer(a.apiKey)).expect(200);
    for (const [method, path] of [
      ['get', `/v1/tenants/${b.id}`],
      ['post', `/v1/tenants/${b.id}/api-keys`],
      ['get', '/v1/tenants/00000000-0000-4000-8000-000000000000'],
      ['get', '/v1/tenants/not-a-uuid'],
    ] as const) {
      const res = await request(h.url)[method](path).set(bearer(a.apiKey)).expect(404);
      expect(res.body.error.code).toBe('TENANT_NOT_FOUND');
    }
    for (const [method, path] of [
      ['get', '/v1/tenants'],
      ['post', '/v1/tenants'],
      ['delete', `/v1/tenants/${a.id}`],
      ['delete', `/v1/tenants/${b.id}`],
      ['get', '/v1/component/status'],
    ] as const) {
      const res = await request(h.url)[method](path).set(bearer(a.apiKey)).send({ name: 'x' }).expect(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
  });

  it('operator: unknown or malformed tenant ids → 404 TENANT_NOT_FOUND', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope', '1']) {
      expect((await request(h.url).get(`/v1/tenants/${id}`).set(bearer(h.operatorKey)).expect(404)).body.error.code).toBe(
        'TENANT_NOT_FOUND',
      );
      expect((await request(h.url).delete(`/v1/tenants/${id}`).set(bearer(h.operatorKey)).expect(404)).body.error.code).toBe(
        'TENANT_NOT_FOUND',
      );
      expect(
        (await request(h.url).post(`/v1/tenants/${id}/api-keys`).set(bearer(h.operatorKey)).expect(404)).body.error.code,
      ).toBe('TENANT_NOT_FOUND');
    }
  });

  it('POST api-keys issues a new key and the previous one stops at once (own key or operator)', async () => {
    const t = (await create({ name: 'Rot' }).expect(201)).body;
    const k2 = (await request(h.url).post(`/v1/tenants/${t.id}/api-keys`).set(bearer(t.apiKey)).expect(201)).body.apiKey;
    expect(k2).toMatch(/^wtg_/);
    expect(k2).not.toBe(t.apiKey);
    await request(h.url).get(`/v1/tenants/${t.id}`).set(bearer(t.apiKey)).expect(401);
    await request(h.url).get(`/v1/tenants/${t.id}`).set(bearer(k2)).expect(200);
    const k3 = (await request(h.url).post(`/v1/tenants/${t.id}/api-keys`).set(bearer(h.operatorKey)).expect(201)).body.apiKey;
    await request(h.url).get(`/v1/tenants/${t.id}`).set(bearer(k2)).expect(401);
    await request(h.url).get(`/v1/tenants/${t.id}`).set(bearer(k3)).expect(200);
  });

  it('DELETE hides the tenant, stops its key, frees nothing else; a second delete → 404', async () => {
    const t = (await create({ name: 'Gone', externalId: 'gone-1' }).expect(201)).body;
    await request(h.url).delete(`/v1/tenants/${t.id}`).set(bearer(h.operatorKey)).expect(204);
    await request(h.url).get(`/v1/tenants/${t.id}`).set(bearer(h.operatorKey)).expect(404);
    await request(h.url).get(`/v1/tenants/${t.id}`).set(bearer(t.apiKey)).expect(401);
    await request(h.url).delete(`/v1/tenants/${t.id}`).set(bearer(h.operatorKey)).expect(404);
    let cursor: string | null = null;
    const ids: string[] = [];
    do {
      const page: request.Response = await request(h.url)
        .get('/v1/tenants')
        .query({ limit: 100, ...(cursor ? { cursor } : {}) })
        .set(bearer(h.operatorKey))
        .expect(200);
      ids.push(...page.body.items.map((i: { id: string }) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(ids).not.toContain(t.id);
  });

  it('GET /v1/tenants pages with an opaque cursor, filters by status and validates its query', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await create({ name: `Page ${i}` }).expect(201)).body.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await request(h.url)
        .get('/v1/tenants')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set(bearer(h.operatorKey))
        .expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of made) expect(seen).toContain(id);
    expect(pages).toBeGreaterThanOrEqual(3);

    const pending = await request(h.url).get('/v1/tenants').query({ status: 'pending' }).set(bearer(h.operatorKey)).expect(200);
    expect(pending.body.items.every((t: { status: string }) => t.status === 'pending')).toBe(true);
    const active = await request(h.url).get('/v1/tenants').query({ status: 'active' }).set(bearer(h.operatorKey)).expect(200);
    expect(active.body).toEqual({ items: [], nextCursor: null });
    const def = await request(h.url).get('/v1/tenants').set(bearer(h.operatorKey)).expect(200);
    expect(def.body.items.length).toBeLessThanOrEqual(20);

    for (const q of [{ limit: 0 }, { limit: 101 }, { limit: 'x' }, { status: 'weird' }, { cursor: 'garbage!' }, { other: 1 }]) {
      const res = await request(h.url).get('/v1/tenants').query(q).set(bearer(h.operatorKey)).expect(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
  });
});
