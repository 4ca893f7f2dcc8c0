// Over 300 lines on purpose: one gateway serves every recorded action and each kind of key, which
// is cheaper than a gateway per file, and the listing tests read what those cases wrote.
import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { AuthorizerReconciliationService } from '../apps/gateway/src/authorizers/authorizer-reconciliation.service';
import { findFreePort } from '@app/database';
import { startWeChatSimulator } from '@app/wechat-sim';
import { randomComponent, startHarness, type Harness } from './support/gateway-harness';
import { spawnGateway, wechatEnvFor } from './support/production-env';
import { createTestDatabase } from './support/test-database';
import { waitForJob } from './support/blacklist-helpers';
import { bearer, createTenant, eventually, onboardTenant, sql } from './support/onboarding';

interface AuditEvent {
  id: string;
  tenantId: string | null;
  at: string;
  actor: string;
  actorName: string | null;
  action: string;
  [detail: string]: unknown;
}

const fingerprint = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 8);

/** The lifecycle of tenants, keys, endpoints and sessions in the audit trail, each event naming the key or component that acted. */
describe('audit trail: lifecycle events and who acted', () => {
  let h: Harness;
  // A second operator key, named in OPERATOR_API_KEYS (`ops-team:<key>`); the harness's own key is bare.
  const namedKey = `named_${randomBytes(24).toString('hex')}`;
  beforeAll(async () => {
    h = await startHarness({
      config: (c) => ({
        ...c,
        operatorApiKeys: [...c.operatorApiKeys, namedKey],
        operatorKeyNames: new Map([[namedKey, 'ops-team']]),
        tokenRenewal: { intervalMs: 500, concurrency: 2 },
      }),
    });
    await h.sim.pushTicket();
  }, 60_000);
  afterAll(() => h?.close());

  const all = async (query: Record<string, string> = {}, key = h.operatorKey): Promise<AuditEvent[]> => {
    const items: AuditEvent[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await request(h.url)
        .get('/v1/audit-events')
        .query({ ...query, limit: 200, ...(cursor ? { cursor } : {}) })
        .set(bearer(key))
        .expect(200);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return items;
  };
  const of = async (tenantId: string, action: string) => (await all({ tenantId, action }))[0];

  it('tenant created and key rotated: by operator key name (named or fingerprint) and by tenant key id, keyId returned', async () => {
    const created = await request(h.url).post('/v1/tenants').set(bearer(namedKey)).send({ name: 'Audited' }).expect(201);
    expect(created.body).toEqual(
      expect.objectContaining({ apiKey: expect.any(String), keyId: expect.stringMatching(/^[0-9a-f]{16}$/) }),
    );
    const tenantId = created.body.id as string;
    expect(await of(tenantId, 'tenant.created')).toMatchObject({
      tenantId,
      actor: 'operator',
      actorName: 'ops-team',
      keyId: created.body.keyId,
      total: 1,
      succeeded: 1,
    });

    const rotated = await request(h.url).post(`/v1/tenants/${tenantId}/api-keys`).set(bearer(created.body.apiKey)).expect(201);
    expect(rotated.body.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(rotated.body.keyId).not.toBe(created.body.keyId);
    // Named by the key that acted (the old one), carrying the id of the key it issued.
    expect(await of(tenantId, 'tenant.api_key_rotated')).toMatchObject({
      actor: 'tenant',
      actorName: created.body.keyId,
      keyId: rotated.body.keyId,
    });

    const bare = await createTenant(h, 'By bare key');
    expect(await of(bare.id, 'tenant.created')).toMatchObject({ actor: 'operator', actorName: fingerprint(h.operatorKey) });
  });

  it('token key issued, used and revoked: the token key is named by its keyId', async () => {
    const t = await onboardTenant(h);
    const issued = await request(h.url)
      .post(`/v1/tenants/${t.id}/token-keys`)
      .set(bearer(namedKey))
      .send({ name: 'reader' })
      .expect(201);
    expect(issued.body.keyId).toBe(issued.body.id);
    expect(await of(t.id, 'token_key.issued')).toMatchObject({
      actor: 'operator',
      actorName: 'ops-team',
      tokenKeyId: issued.body.id,
    });
    await request(h.url).get(`/v1/tenants/${t.id}/authorizer-token`).set(bearer(issued.body.apiKey)).expect(200);
    expect(await of(t.id, 'authorizer_token.read')).toMatchObject({ actor: 'token_key', actorName: issued.body.keyId });
    await request(h.url).delete(`/v1/tenants/${t.id}/token-keys/${issued.body.id}`).set(bearer(h.operatorKey)).expect(204);
    expect(await of(t.id, 'token_key.revoked')).toMatchObject({
      actor: 'operator',
      actorName: fingerprint(h.operatorKey),
      tokenKeyId: issued.body.id,
    });
  });

  it('a blacklist job’s event, written when it finishes, names the key that created it', async () => {
    const t = await onboardTenant(h, { followers: 3 });
    const keyId = (await of(t.id, 'tenant.created')).keyId;
    const job = await request(h.url)
      .post(`/v1/tenants/${t.id}/blacklist/jobs`)
      .set(bearer(t.apiKey))
      .send({ action: 'block', openids: t.followers })
      .expect(202);
    await waitForJob(h.url, t.apiKey, t.id, job.body.id);
    expect(await of(t.id, 'block')).toMatchObject({ actor: 'tenant', actorName: keyId, jobId: job.body.id, succeeded: 3 });
  });

  it('webhook endpoints created, changed, secret rotated and deleted, by tenant key and by operator (no tenant)', async () => {
    const t = await createTenant(h, 'Hooks');
    const keyId = (await of(t.id, 'tenant.created')).keyId;
    const base = `/v1/tenants/${t.id}/webhook-endpoints`;
    const ep = await request(h.url).post(base).set(bearer(t.apiKey)).send({ url: 'http://127.0.0.1:9/hook' }).expect(201);
    await request(h.url).patch(`${base}/${ep.body.id}`).set(bearer(t.apiKey)).send({ description: 'changed' }).expect(200);
    await request(h.url).post(`${base}/${ep.body.id}/secret`).set(bearer(t.apiKey)).expect(201);
    await request(h.url).delete(`${base}/${ep.body.id}`).set(bearer(t.apiKey)).expect(204);
    const actions = ['created', 'updated', 'secret_rotated', 'deleted'].map((a) => `webhook_endpoint.${a}`);
    for (const action of actions) {
      expect(await of(t.id, action)).toMatchObject({ actor: 'tenant', actorName: keyId, endpointId: ep.body.id });
    }

    const op = await request(h.url).post('/v1/webhook-endpoints').set(bearer(namedKey)).send({ url: 'http://127.0.0.1:9/op' });
    expect(op.status).toBe(201);
    await request(h.url).delete(`/v1/webhook-endpoints/${op.body.id}`).set(bearer(namedKey)).expect(204);
    const operatorEvents = (await all()).filter((e) => e.endpointId === op.body.id);
    expect(operatorEvents.map((e) => [e.action, e.tenantId, e.actorName])).toEqual([
      ['webhook_endpoint.deleted', null, 'ops-team'],
      ['webhook_endpoint.created', null, 'ops-team'],
    ]);
  });

  it('session created (tenant key), authorized (onboarding or push), permission sets changed and revoked (push)', async () => {
    const t = await createTenant(h, 'Onboarding');
    const keyId = (await of(t.id, 'tenant.created')).keyId;
    const session = await request(h.url).post(`/v1/tenants/${t.id}/authorization-sessions`).set(bearer(t.apiKey)).send({});
    expect(session.status).toBe(201);
    expect(await of(t.id, 'authorization_session.created')).toMatchObject({
      actor: 'tenant',
      actorName: keyId,
      sessionId: session.body.id,
    });

    const onboarded = await onboardTenant(h, { permissionSets: [1, 2] });
    const activated = await of(onboarded.id, 'tenant.activated');
    // Whichever arrived first, the merchant's callback or WeChat's push, activated it.
    expect(activated).toMatchObject({ actor: 'system', appId: onboarded.appId });
    expect(['system:onboarding', 'system:push']).toContain(activated.actorName);

    await h.sim.reauthorize(onboarded.appId, { permissionSets: [1, 15], push: 'now' });
    expect(
      await eventually(async () => {
        const e = await of(onboarded.id, 'tenant.permissions_changed');
        expect(e).toBeDefined();
        return e;
      }),
    ).toMatchObject({ actor: 'system', actorName: 'system:push', previous: '1,2', current: '1,15' });

    await h.sim.revoke(onboarded.appId, { push: 'now' });
    expect(
      await eventually(async () => {
        const e = await of(onboarded.id, 'tenant.revoked');
        expect(e).toBeDefined();
        return e;
      }),
    ).toMatchObject({ actor: 'system', actorName: 'system:push' });
  });

  it('revoked by the reconciliation, re-authorization required by the renewer', async () => {
    const gone = await onboardTenant(h);
    await h.sim.revoke(gone.appId, { push: 'none' });
    await h.app.get(AuthorizerReconciliationService).reconcile();
    expect(await of(gone.id, 'tenant.revoked')).toMatchObject({ actor: 'system', actorName: 'system:reconciliation' });

    // WeChat lost this authorization too, unannounced; the renewer finds out when the token is due.
    const lapsed = await onboardTenant(h);
    await h.sim.revoke(lapsed.appId, { push: 'none' });
    await sql(h, `UPDATE authorizers SET access_token_expires_at = now() + interval '1 minute' WHERE tenant_id = $1`, [
      lapsed.id,
    ]);
    expect(
      await eventually(async () => {
        const e = await of(lapsed.id, 'tenant.reauthorization_required');
        expect(e).toBeDefined();
        return e;
      }, 15_000),
    ).toMatchObject({ actor: 'system', actorName: 'system:renewer' });
  });

  it('console sign-in and the console’s onboarding link name the operator as console:<name>', async () => {
    const res = await request(h.url).post('/console/login').type('form').send({ key: namedKey });
    expect(res.status).toBe(303);
    const [signIn] = await all({ action: 'console.signed_in' });
    expect(signIn).toMatchObject({ tenantId: null, actor: 'operator', actorName: 'console:ops-team' });

    const t = await createTenant(h, 'Console link');
    const cookie = res.headers['set-cookie'][0].split(';')[0];
    const page = await request(h.url).get(`/console/tenants/${t.id}`).set('Cookie', cookie).expect(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1];
    const after = await request(h.url)
      .post(`/console/tenants/${t.id}/onboarding-links`)
      .set('Cookie', cookie)
      .set('Origin', h.url)
      .type('form')
      .send({ csrf })
      .expect(200);
    expect(await of(t.id, 'authorization_session.created')).toMatchObject({ actor: 'operator', actorName: 'console:ops-team' });
    // The tenant page's audit list names who acted too.
    expect(after.text).toMatch(/<td>operator console:ops-team<\/td><td>authorization_session\.created<\/td>/);
  });

  it('a deleted tenant’s trail stays readable by operators, its deletion included', async () => {
    const t = await createTenant(h, 'Deleted');
    await request(h.url).post(`/v1/tenants/${t.id}/authorization-sessions`).set(bearer(t.apiKey)).send({}).expect(201);
    await request(h.url).delete(`/v1/tenants/${t.id}`).set(bearer(namedKey)).expect(204);
    await request(h.url).get(`/v1/tenants/${t.id}/audit-events`).set(bearer(h.operatorKey)).expect(404);
    const events = await all({ tenantId: t.id });
    expect(events.map((e) => e.action)).toEqual(['tenant.deleted', 'authorization_session.created', 'tenant.created']);
    expect(events[0]).toMatchObject({ tenantId: t.id, actor: 'operator', actorName: 'ops-team' });
    // The row stays and no cascade can take the trail with it.
    const [row] = await sql<{ n: number }>(h, `SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1`, [t.id]);
    expect(row.n).toBe(3);
    await expect(sql(h, `DELETE FROM tenants WHERE id = $1`, [t.id])).rejects.toThrow(/foreign key/);
  });

  describe('GET /v1/audit-events', () => {
    it('is for operators only: tenant and token keys get 403, no key 401', async () => {
      const t = await createTenant(h, 'Not allowed');
      await request(h.url).get('/v1/audit-events').set(bearer(t.apiKey)).expect(403);
      await request(h.url).get('/v1/audit-events').query({ tenantId: t.id }).set(bearer(t.apiKey)).expect(403);
      const tokenKey = await request(h.url).post(`/v1/tenants/${t.id}/token-keys`).set(bearer(h.operatorKey)).send({ name: 'r' });
      await request(h.url).get('/v1/audit-events').set(bearer(tokenKey.body.apiKey)).expect(403);
      await request(h.url).get('/v1/audit-events').expect(401);
    });

    it('filters by tenant, action and since, pages by cursor newest first, and refuses bad parameters with 400', async () => {
      const a = await createTenant(h, 'Filter A');
      const b = await createTenant(h, 'Filter B');
      for (let i = 0; i < 3; i++)
        await request(h.url).post(`/v1/tenants/${a.id}/api-keys`).set(bearer(h.operatorKey)).expect(201);
      await request(h.url).post(`/v1/tenants/${b.id}/api-keys`).set(bearer(h.operatorKey)).expect(201);

      const rotations = await all({ action: 'tenant.api_key_rotated' });
      expect(rotations.filter((e) => e.tenantId === a.id)).toHaveLength(3);
      expect(rotations.some((e) => e.tenantId === b.id)).toBe(true);
      expect(rotations.every((e) => e.action === 'tenant.api_key_rotated')).toBe(true);

      const page1 = await request(h.url)
        .get('/v1/audit-events')
        .query({ tenantId: a.id, limit: 2 })
        .set(bearer(h.operatorKey))
        .expect(200);
      expect(page1.body.items.map((e: AuditEvent) => e.action)).toEqual(['tenant.api_key_rotated', 'tenant.api_key_rotated']);
      const page2 = await request(h.url)
        .get('/v1/audit-events')
        .query({ tenantId: a.id, limit: 2, cursor: page1.body.nextCursor })
        .set(bearer(h.operatorKey))
        .expect(200);
      expect(page2.body.items.map((e: AuditEvent) => e.action)).toEqual(['tenant.api_key_rotated', 'tenant.created']);
      expect(page2.body.nextCursor).toBeNull();

      const newest = page1.body.items[0] as AuditEvent;
      const since = await all({ tenantId: a.id, since: newest.at });
      expect(since.map((e) => e.id)).toContain(newest.id);
      expect(since.every((e) => e.at >= newest.at)).toBe(true);
      expect(await all({ since: new Date(Date.now() + 3_600_000).toISOString() })).toEqual([]);

      for (const bad of [
        { cursor: 'nope!' },
        { since: 'yesterday' },
        { tenantId: 'not-a-uuid' },
        { action: 'DROP TABLE' },
        { limit: '0' },
      ]) {
        const res = await request(h.url).get('/v1/audit-events').query(bad).set(bearer(h.operatorKey));
        expect(res.status).toBe(400);
      }
    });

    it('streams every matching event as NDJSON with Accept: application/x-ndjson', async () => {
      const t = await createTenant(h, 'Export');
      for (let i = 0; i < 4; i++)
        await request(h.url).post(`/v1/tenants/${t.id}/api-keys`).set(bearer(h.operatorKey)).expect(201);
      const res = await request(h.url)
        .get('/v1/audit-events')
        .query({ tenantId: t.id, limit: 1 })
        .set(bearer(h.operatorKey))
        .set('Accept', 'application/x-ndjson')
        .buffer(true)
        .parse((r, done) => {
          let text = '';
          r.on('data', (c: Buffer) => (text += c.toString('utf8')));
          r.on('end', () => done(null, text));
        })
        .expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
      const lines = (res.body as string).split('\n');
      expect(lines.pop()).toBe('');
      const events = lines.map((l) => JSON.parse(l) as AuditEvent);
      // Not one page: all of them, newest first, as the paged listing shows them.
      expect(events).toEqual(await all({ tenantId: t.id }));
      expect(events.map((e) => e.action)).toEqual([...Array(4).fill('tenant.api_key_rotated'), 'tenant.created']);

      const busy = await createTenant(h, 'Busy');
      for (let i = 0; i < 55; i++)
        await request(h.url).post(`/v1/tenants/${busy.id}/api-keys`).set(bearer(h.operatorKey)).expect(201);
      const everything = await request(h.url)
        .get('/v1/audit-events')
        .set(bearer(h.operatorKey))
        .set('Accept', 'application/x-ndjson')
        .buffer(true)
        .parse((r, done) => {
          let text = '';
          r.on('data', (c: Buffer) => (text += c.toString('utf8')));
          r.on('end', () => done(null, text));
        })
        .expect(200);
      // More than a default page (50): the export is not one page either.
      const total = (await all()).length;
      expect(total).toBeGreaterThan(55);
      expect((everything.body as string).trim().split('\n')).toHaveLength(total);
    });
  });

  it('a started gateway names its operator keys as OPERATOR_API_KEYS says: name:key, or the fingerprint of a bare key', async () => {
    const component = randomComponent();
    const sim = await startWeChatSimulator({ ...component, port: 0, pushTicketOnStart: false });
    const [named, bare] = [randomBytes(24).toString('hex'), randomBytes(24).toString('hex')];
    const port = await findFreePort();
    const url = `http://127.0.0.1:${port}`;
    const g = await spawnGateway(
      {
        DATABASE_URL: await createTestDatabase(),
        OPERATOR_API_KEYS: `ci-bot:${named}, ${bare}`,
        SECRETS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        ...wechatEnvFor(component, sim.url),
        PORT: String(port),
        PUBLIC_BASE_URL: url,
        LOG_LEVEL: 'warn',
      },
      url,
    );
    try {
      const byNamed = await request(url).post('/v1/tenants').set(bearer(named)).send({ name: 'Named' }).expect(201);
      const byBare = await request(url).post('/v1/tenants').set(bearer(bare)).send({ name: 'Bare' }).expect(201);
      // The entry as written is no key: only the part after the name is.
      await request(url)
        .get('/v1/tenants')
        .set(bearer(`ci-bot:${named}`))
        .expect(401);
      const res = await request(url).get('/v1/audit-events').query({ action: 'tenant.created' }).set(bearer(bare)).expect(200);
      const nameOf = (id: string) => res.body.items.find((e: AuditEvent) => e.tenantId === id)?.actorName;
      expect(nameOf(byNamed.body.id)).toBe('ci-bot');
      expect(nameOf(byBare.body.id)).toBe(fingerprint(bare));
    } finally {
      g.child.kill('SIGTERM');
      await g.exited;
      await sim.close();
    }
  }, 60_000);
});
