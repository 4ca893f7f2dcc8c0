import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { onboardTenant, type OnboardedTenant } from './support/onboarding';
import { bearer } from './support/blacklist-helpers';

/**
 * POST .../blacklist/(block|unblock), the hottest routes: what the framework's pipeline answers
 * for each kind of request (status, error JSON, content type, request id), the same with a query
 * string, and the metrics and log line every route gets.
 */
const QUERY = '?any=query';

interface Answer {
  status: number;
  body: unknown;
  contentType: string | undefined;
  retryAfter: string | undefined;
  requestIdHeader: boolean;
}

function comparable(res: request.Response): Answer {
  const body = JSON.parse(res.text) as { error?: { requestId?: string } };
  const requestIdHeader = typeof res.headers['x-request-id'] === 'string' && res.headers['x-request-id'].length > 0;
  // The error JSON's requestId is the response's own header, which differs per request.
  if (body.error) {
    expect(body.error.requestId).toBe(res.headers['x-request-id']);
    delete body.error.requestId;
  }
  return {
    status: res.status,
    body,
    contentType: res.headers['content-type'],
    retryAfter: res.headers['retry-after'],
    requestIdHeader,
  };
}

describe('block/unblock through the framework: statuses, error JSON, metrics and log line', () => {
  let h: Harness;
  let t: OnboardedTenant;
  let other: OnboardedTenant;
  let noSet2: OnboardedTenant;
  let tokenKey: string;
  beforeAll(async () => {
    h = await startHarness();
    await h.sim.pushTicket();
    t = await onboardTenant(h, { followers: 30 });
    other = await onboardTenant(h, { followers: 1 });
    noSet2 = await onboardTenant(h, { followers: 1, permissionSets: [1] });
    tokenKey = (
      await request(h.url).post(`/v1/tenants/${t.id}/token-keys`).set(bearer(h.operatorKey)).send({ name: 'svc' }).expect(201)
    ).body.apiKey as string;
  });
  afterAll(() => h.close());

  /** Sends the same request without and with a query string (which changes nothing). */
  async function both(
    path: (tenantId: string) => string,
    tenantId: string,
    send: (r: request.Test) => request.Test,
  ): Promise<[Answer, Answer]> {
    const plain = comparable(await send(request(h.url).post(path(tenantId))));
    const withQuery = comparable(await send(request(h.url).post(`${path(tenantId)}${QUERY}`)));
    return [plain, withQuery];
  }
  const blockPath = (id: string) => `/v1/tenants/${id}/blacklist/block`;
  const unblockPath = (id: string) => `/v1/tenants/${id}/blacklist/unblock`;
  const json =
    (key: string, body: string, extra: Record<string, string> = {}) =>
    (r: request.Test) =>
      r.set(bearer(key)).set('Content-Type', 'application/json').set(extra).send(body);

  const cases: {
    name: string;
    status: number;
    path?: typeof blockPath;
    run: () => [string, (r: request.Test) => request.Test];
  }[] = [
    {
      name: 'a block with the operator key',
      status: 200,
      run: () => [t.id, json(h.operatorKey, JSON.stringify({ openids: t.followers.slice(0, 25) }))],
    },
    {
      name: 'an unblock with the tenant key',
      status: 200,
      path: unblockPath,
      run: () => [t.id, json(t.apiKey, JSON.stringify({ openids: t.followers.slice(0, 3) }))],
    },
    {
      name: 'openids WeChat does not know (invalid) next to known ones',
      status: 200,
      run: () => [t.id, json(t.apiKey, JSON.stringify({ openids: [t.followers[0], 'oNOTAFOLLOWER0000000000000001'] }))],
    },
    {
      name: 'a charset and a byte order mark',
      status: 200,
      run: () => [
        t.id,
        json(t.apiKey, `\uFEFF${JSON.stringify({ openids: [t.followers[4]] })}`, {
          'Content-Type': 'application/json; charset=UTF-8',
        }),
      ],
    },
    { name: 'a body that is not JSON', status: 400, run: () => [t.id, json(t.apiKey, '{"openids": [')] },
    { name: 'a JSON string, not an object', status: 400, run: () => [t.id, json(t.apiKey, '"openids"')] },
    { name: 'an array body', status: 400, run: () => [t.id, json(t.apiKey, '[]')] },
    { name: 'openids that are not a list', status: 400, run: () => [t.id, json(t.apiKey, '{"openids":"o1"}')] },
    {
      name: 'an unknown field',
      status: 400,
      run: () => [t.id, json(t.apiKey, JSON.stringify({ openids: [t.followers[0]], force: true }))],
    },
    { name: 'an empty list', status: 400, run: () => [t.id, json(t.apiKey, '{"openids":[]}')] },
    {
      name: 'more than 1000 openids',
      status: 400,
      run: () => [
        t.id,
        json(t.apiKey, JSON.stringify({ openids: Array.from({ length: 1001 }, (_, i) => `o${String(i).padStart(27, '0')}`) })),
      ],
    },
    {
      name: 'a body nested 40 levels deep',
      status: 400,
      run: () => [t.id, json(t.apiKey, `{"openids":${'['.repeat(40)}${']'.repeat(40)}}`)],
    },
    {
      name: 'an Idempotency-Key over 255 characters',
      status: 400,
      run: () => [t.id, json(t.apiKey, JSON.stringify({ openids: [t.followers[0]] }), { 'Idempotency-Key': 'k'.repeat(256) })],
    },
    {
      name: 'a tenant without permission set 2',
      status: 403,
      run: () => [noSet2.id, json(h.operatorKey, JSON.stringify({ openids: noSet2.followers }))],
    },
    {
      name: 'another tenant’s key',
      status: 404,
      run: () => [t.id, json(other.apiKey, JSON.stringify({ openids: [t.followers[0]] }))],
    },
    {
      name: 'a tenant id that is not a uuid',
      status: 404,
      run: () => ['not-a-tenant', json(h.operatorKey, JSON.stringify({ openids: [t.followers[0]] }))],
    },
    {
      name: 'a tenant that does not exist',
      status: 404,
      run: () => ['00000000-0000-4000-8000-000000000000', json(h.operatorKey, JSON.stringify({ openids: [t.followers[0]] }))],
    },
    {
      name: 'a token key of the tenant (it may only read tokens)',
      status: 403,
      run: () => [t.id, json(tokenKey, JSON.stringify({ openids: [t.followers[0]] }))],
    },
    {
      name: 'a wrong key',
      status: 401,
      run: () => [t.id, json('wtg_wrongwrongwrongwrongwrongwrong', JSON.stringify({ openids: [t.followers[0]] }))],
    },
    {
      name: 'a text/plain body',
      status: 400,
      run: () => [
        t.id,
        (r) =>
          r
            .set(bearer(t.apiKey))
            .set('Content-Type', 'text/plain')
            .send(JSON.stringify({ openids: [t.followers[0]] })),
      ],
    },
  ];

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const [tenantId, send] = c.run();
    const [plain, withQuery] = await both(c.path ?? blockPath, tenantId, send);
    expect(plain.status).toBe(c.status);
    expect(plain).toEqual(withQuery);
    expect(plain.requestIdHeader).toBe(true);
  });

  it('replays an Idempotency-Key, with or without a query string', async () => {
    const body = JSON.stringify({ openids: t.followers.slice(10, 12) });
    const first = await request(h.url)
      .post(blockPath(t.id))
      .set(bearer(t.apiKey))
      .set('Idempotency-Key', 'parity-1')
      .set('Content-Type', 'application/json')
      .send(body)
      .expect(200);
    const viaFramework = await request(h.url)
      .post(`${blockPath(t.id)}${QUERY}`)
      .set(bearer(t.apiKey))
      .set('Idempotency-Key', 'parity-1')
      .set('Content-Type', 'application/json')
      .send(body)
      .expect(200);
    expect(viaFramework.body).toEqual(first.body);
    const conflict = await request(h.url)
      .post(blockPath(t.id))
      .set(bearer(t.apiKey))
      .set('Idempotency-Key', 'parity-1')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ openids: [t.followers[13]] }));
    const conflictViaFramework = await request(h.url)
      .post(`${blockPath(t.id)}${QUERY}`)
      .set(bearer(t.apiKey))
      .set('Idempotency-Key', 'parity-1')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ openids: [t.followers[13]] }));
    expect(conflict.status).toBe(422);
    expect(comparable(conflict)).toEqual(comparable(conflictViaFramework));
  });

  it('counts the request in /metrics under the route pattern, and logs one request line without the key', async () => {
    const count = async () => {
      const text = (await request(h.url).get('/metrics').expect(200)).text;
      const m =
        /^http_requests_total\{method="POST",route="\/v1\/tenants\/:tenantId\/blacklist\/block",status="200"\} (\d+)$/m.exec(
          text,
        );
      return m ? Number(m[1]) : 0;
    };
    const before = await count();
    const res = await request(h.url)
      .post(blockPath(t.id))
      .set(bearer(t.apiKey))
      .set('X-Request-Id', 'parity-log-line-1')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ openids: [t.followers[20]] }))
      .expect(200);
    expect(res.headers['x-request-id']).toBe('parity-log-line-1');
    expect((await count()) - before).toBe(1);
    await request(h.url)
      .post(`${blockPath(t.id)}${QUERY}`)
      .set(bearer(t.apiKey))
      .set('X-Request-Id', 'parity-log-line-2')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ openids: [t.followers[21]] }))
      .expect(200);
    // With a query string: the same label.
    expect((await count()) - before).toBe(2);
    const completedLine = (requestId: string) => {
      const lines = h.logs.lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.requestId === requestId && l.msg === 'request completed');
      expect(lines).toHaveLength(1);
      return lines[0];
    };
    const plain = completedLine('parity-log-line-1');
    const withQuery = completedLine('parity-log-line-2');
    expect(plain).toMatchObject({
      req: { id: 'parity-log-line-1', method: 'POST', url: blockPath(t.id) },
      res: { statusCode: 200 },
      level: 30,
    });
    expect(typeof plain.responseTime).toBe('number');
    // The same fields with a query string, in the same order.
    expect(Object.keys(plain)).toEqual(Object.keys(withQuery));
    expect(Object.keys(plain.req as object)).toEqual(Object.keys(withQuery.req as object));
    expect(h.logs.text()).not.toContain(t.apiKey);
  });

  // Last: it leaves this client address blocked for a minute.
  it('from an address over its failed-authentication limit: a wrong key 429, a good key still served, with or without a query', async () => {
    // The wrong key above counted too: keep guessing until the address is refused.
    let status = 401;
    for (let i = 0; i < 25 && status === 401; i++) {
      status = (await request(h.url).get('/v1/tenants').set(bearer('wtg_wrongwrongwrongwrongwrongwrong'))).status;
    }
    expect(status).toBe(429);
    const body = JSON.stringify({ openids: [t.followers[0]] });
    const [plain, withQuery] = await both(blockPath, t.id, json('wtg_wrongwrongwrongwrongwrongwrong', body));
    expect(plain.status).toBe(429);
    expect(plain).toEqual(withQuery);
    expect(plain.retryAfter).toMatch(/^\d+$/);
    const [plainGood, withQueryGood] = await both(blockPath, t.id, json(t.apiKey, body));
    expect(plainGood.status).toBe(200);
    expect(withQueryGood.status).toBe(200);
  });
});
