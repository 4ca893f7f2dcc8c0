// Over 300 lines on purpose: the three fuzzers share one gateway, its seeded tenant and the raw client;
// split, each file would start and seed them again.
import fc from 'fast-check';
import { request as httpRequest } from 'node:http';
import { randomUUID } from 'node:crypto';
import { WeChatMessageCrypto } from '@app/wechat';
import { startHarness, type Harness } from './support/gateway-harness';
import { createTenant, startSession } from './support/onboarding';

/*
 * Property-based fuzzing of every route (path, query, headers, body) and of signed
 * WeChat pushes, against one real gateway. Whatever arrives: no 5xx, every error in the error JSON,
 * and the process still answers /health/live. Routes that would make many WeChat calls per case
 * are reached only through a tenant that is never activated (they answer before calling WeChat).
 */

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** Raw HTTP (no client-side normalisation), so malformed escapes reach the server as written. */
function send(
  base: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        headers: body ? { ...headers, 'Content-Length': String(body.length) } : headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** Keeps URL syntax characters (and `%`, so escapes can be malformed); escapes what Node would refuse to send. */
function rawSegment(s: string): string {
  return [...s].map((c) => (/[A-Za-z0-9._~!$&'()*+,;=:@%-]/.test(c) ? c : encodeURIComponent(c))).join('');
}

function expectErrorJson(a: Answer, where: string): void {
  let body: unknown;
  try {
    body = JSON.parse(a.text);
  } catch {
    throw new Error(`${where}: ${a.status} without the error JSON: ${a.text.slice(0, 200)}`);
  }
  const e = (body as { error?: Record<string, unknown> }).error;
  if (!e || typeof e.code !== 'string' || typeof e.message !== 'string' || typeof e.requestId !== 'string') {
    throw new Error(`${where}: ${a.status} with a body that is not the error JSON: ${a.text.slice(0, 200)}`);
  }
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> } }>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

/** The id of a webhook endpoint created at `path` (a public address literal: production checks it without DNS). */
async function createdId(base: URL, path: string, key: string): Promise<string> {
  const answer = await send(
    base,
    'POST',
    path,
    { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    Buffer.from(JSON.stringify({ url: 'https://93.184.215.14/fuzz' })),
  );
  return (JSON.parse(answer.text) as { id: string }).id;
}

const ROUTES = [
  '/v1/tenants',
  '/v1/tenants/{tenant}',
  '/v1/tenants/{tenant}/api-keys',
  '/v1/tenants/{tenant}/authorization-sessions',
  '/v1/tenants/{tenant}/blacklist',
  '/v1/tenants/{tenant}/blacklist/block',
  '/v1/tenants/{tenant}/blacklist/unblock',
  '/v1/tenants/{tenant}/blacklist/jobs',
  '/v1/tenants/{tenant}/blacklist/jobs/{id}',
  '/v1/tenants/{tenant}/blacklist/jobs/{id}/items',
  '/v1/tenants/{tenant}/audit-events',
  '/v1/tenants/{tenant}/webhook-endpoints',
  '/v1/tenants/{tenant}/webhook-endpoints/{id}',
  '/v1/tenants/{tenant}/webhook-endpoints/{id}/secret',
  '/v1/tenants/{tenant}/webhook-endpoints/{id}/deliveries',
  '/v1/webhook-endpoints',
  '/v1/webhook-endpoints/{id}',
  '/v1/webhook-endpoints/{id}/secret',
  '/v1/webhook-endpoints/{id}/deliveries',
  '/v1/webhook-endpoints/{id}/deliveries/{id}/redeliver',
  '/v1/component/status',
  '/onboarding/{token}',
  '/wechat/authorization/callback',
  '/wechat/component/events',
  '/health',
  '/health/live',
  '/health/ready',
  '/metrics',
  '/docs-json',
  '/{junk}',
];

/**
 * Sends every body field the OpenAPI document names, on every route that takes a JSON body, alone
 * with each hostile shape, as the operator; no answer may be a 5xx or a 4xx outside the error JSON.
 * The routes and fields come from the document, so a new route or field is covered without listing
 * it. Returns the number of requests sent.
 */
async function everyFieldEveryShape(h: Harness, tenantId: string): Promise<number> {
  const base = new URL(h.url);
  const doc = JSON.parse((await send(base, 'GET', '/docs-json', {}, undefined)).text) as OpenApiDocument;
  const endpointIds = {
    operator: await createdId(base, '/v1/webhook-endpoints', h.operatorKey),
    tenant: await createdId(base, `/v1/tenants/${tenantId}/webhook-endpoints`, h.operatorKey),
  };
  const shapes: unknown[] = [null, 0, -1, 1.5, 1e308, 2 ** 53 + 1, true, [], [null], ['x', 1], {}, { a: { b: [] } }, '', ' '];
  shapes.push('x'.repeat(200_000));
  let sent = 0;
  for (const [template, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const ref = op.requestBody?.content?.['application/json']?.schema?.$ref;
      const schema = ref ? doc.components.schemas[ref.split('/').pop()!] : undefined;
      // Never the seeded tenant's key rotation: later cases need its key.
      if (!schema?.properties || template.endsWith('/api-keys')) continue;
      const path = template
        .replace('{tenantId}', tenantId)
        .replace('{endpointId}', template.startsWith('/v1/tenants/') ? endpointIds.tenant : endpointIds.operator)
        .replace(/\{[^}]+\}/g, () => randomUUID());
      for (const field of Object.keys(schema.properties)) {
        for (const shape of shapes) {
          const where = `${h.config.mode}: ${method.toUpperCase()} ${path} {${field}: ${JSON.stringify(shape).slice(0, 20)}}`;
          const answer = await send(
            base,
            method.toUpperCase(),
            path,
            { Authorization: `Bearer ${h.operatorKey}`, 'Content-Type': 'application/json' },
            Buffer.from(JSON.stringify({ [field]: shape })),
          );
          sent++;
          if (answer.status >= 500) throw new Error(`${where}: ${answer.status} ${answer.text.slice(0, 300)}`);
          if (answer.status >= 400) expectErrorJson(answer, where);
        }
      }
    }
  }
  return sent;
}

describe('fuzz: no request 5xx-es or crashes the gateway (property-based, fast-check)', () => {
  let h: Harness;
  let base: URL;
  let tenant: { id: string; apiKey: string };
  let sessionId: string;
  let onboardingToken: string;

  beforeAll(async () => {
    // Limits high enough that the cases exercise the routes rather than the rate limiters (tested elsewhere).
    h = await startHarness({
      config: (c) => ({ ...c, rateLimits: { failedAuthPerMinute: 1_000_000, publicRequestsPerMinute: 1_000_000 } }),
    });
    base = new URL(h.url);
    await h.sim.pushTicket();
    tenant = await createTenant(h, 'Fuzzed');
    const s = await startSession(h, tenant.id);
    sessionId = s.id;
    onboardingToken = new URL(s.onboardingUrl).pathname.split('/').pop()!;
  });
  afterAll(() => h.close());

  const hostile = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '..', '%2e%2e', '%2F', 'null', '-1', '1e309', '0x7f', 'a'.repeat(600)),
  );

  it('routes: random path segments, query, headers and bodies', async () => {
    const segment = (kind: 'tenant' | 'id' | 'token' | 'junk') =>
      fc.oneof(
        { weight: 3, arbitrary: fc.constant(kind === 'tenant' ? tenant.id : kind === 'token' ? onboardingToken : randomUUID()) },
        { weight: 1, arbitrary: fc.uuid() },
        { weight: 3, arbitrary: hostile.map(rawSegment) },
      );
    const path = fc
      .tuple(fc.constantFrom(...ROUTES), segment('tenant'), segment('id'), segment('token'), segment('junk'))
      .map(([route, t, id, token, junk]) =>
        route
          .replace('{tenant}', t)
          .replace(/\{id\}/g, id)
          .replace('{token}', token)
          .replace('{junk}', junk),
      );
    const query = fc.array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom(
            'cursor',
            'limit',
            'status',
            'outcome',
            'session',
            'auth_code',
            'timestamp',
            'nonce',
            'msg_signature',
            'expires_in',
          ),
          hostile,
        ),
        hostile,
      ),
      {
        maxLength: 4,
      },
    );
    const authorization = fc.oneof(
      fc.constant(() => `Bearer ${h.operatorKey}`),
      fc.constant(() => `Bearer ${tenant.apiKey}`),
      fc.constant(() => undefined),
      hostile.map((s) => () => `Bearer ${s.replace(/[^\x21-\x7e]/g, '')}`),
      hostile.map((s) => () => s.replace(/[^\x20-\x7e]/g, '')),
    );
    const json = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record(
        {
          name: fc.oneof(fc.string(), hostile),
          externalId: hostile,
          returnUrl: fc.oneof(fc.webUrl(), hostile, fc.constantFrom('http://a.0x7f', 'https://evil.example\\@good.example')),
          authType: fc.oneof(fc.integer(), hostile),
          action: fc.constantFrom('block', 'unblock', 'x'),
          openids: fc.array(fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{28}$/), hostile), { maxLength: 30 }),
          url: fc.oneof(fc.webUrl(), hostile),
          types: fc.array(fc.oneof(fc.constantFrom('tenant.activated', 'blacklist.job.finished'), hostile), { maxLength: 3 }),
          description: hostile,
          enabled: fc.oneof(fc.boolean(), hostile),
        },
        { requiredKeys: [] },
      ),
    );
    const body = fc.oneof(
      fc.constant(undefined),
      json.map((v) => ({ type: 'application/json', bytes: Buffer.from(JSON.stringify(v) ?? 'null') })),
      hostile.map((s) => ({ type: 'application/json', bytes: Buffer.from(s) })),
      fc
        .constantFrom('text/xml', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin-9')
        .chain((type) => hostile.map((s) => ({ type, bytes: Buffer.from(s) }))),
      fc.constant({ type: 'application/json', bytes: Buffer.from(`${'['.repeat(5000)}${']'.repeat(5000)}`) }),
    );
    const accept = fc.constantFrom('application/json', '*/*', 'text/html', undefined);

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT'),
        path,
        query,
        authorization,
        body,
        accept,
        fc.option(hostile.map((s) => s.replace(/[^\x20-\x7e]/g, ''))),
        async (method, p, q, auth, b, acc, requestId) => {
          // Keep the seeded tenant alive and its key valid, so later cases still reach deep code.
          fc.pre(!(method === 'DELETE' && p === `/v1/tenants/${tenant.id}`) && !p.endsWith('/api-keys'));
          const qs = q.map(([k, v]) => `${rawSegment(k)}=${rawSegment(v)}`).join('&');
          const headers: Record<string, string> = {};
          const a = auth();
          if (a !== undefined) headers.Authorization = a;
          if (acc !== undefined) headers.Accept = acc;
          if (requestId !== null) headers['X-Request-Id'] = requestId;
          if (b) headers['Content-Type'] = b.type;
          const answer = await send(base, method, qs ? `${p}?${qs}` : p, headers, b?.bytes);
          const where = `${method} ${p}${qs ? `?${qs}` : ''}`;
          if (answer.status >= 500) throw new Error(`${where}: ${answer.status} ${answer.text.slice(0, 300)}`);
          const htmlPage =
            (p.startsWith('/onboarding/') || p.startsWith('/wechat/authorization/')) &&
            answer.contentType.startsWith('text/html');
          if (answer.status >= 400 && !htmlPage) expectErrorJson(answer, where);
        },
      ),
      { numRuns: 2500, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
    expect((await send(base, 'GET', '/health/live', {}, undefined)).status).toBe(200);
  }, 120_000);

  it('every JSON field of every route: null, numbers, booleans, arrays, objects, empty and huge strings', async () => {
    const production = await startHarness({ config: (c) => ({ ...c, mode: 'production' }) });
    try {
      await production.sim.pushTicket();
      for (const gateway of [h, production]) {
        const seeded = gateway === h ? tenant : await createTenant(gateway, 'Fuzzed in production');
        expect(await everyFieldEveryShape(gateway, seeded.id)).toBeGreaterThan(300);
      }
    } finally {
      await production.close();
    }
  }, 120_000);

  it('signed pushes: valid signatures over mutated messages, and mutated signed requests', async () => {
    const { componentToken, encodingAESKey, componentAppId } = h.config.wechat;
    const crypto = new WeChatMessageCrypto({ token: componentToken, encodingAESKey, appId: componentAppId });
    const field = fc.tuple(
      fc.constantFrom(
        'InfoType',
        'AuthorizerAppid',
        'AuthorizationCode',
        'PreAuthCode',
        'ComponentVerifyTicket',
        'CreateTime',
        'AppId',
        'Junk',
      ),
      fc.oneof(
        hostile,
        fc.constantFrom('component_verify_ticket', 'authorized', 'updateauthorized', 'unauthorized', componentAppId, sessionId),
      ),
    );
    const message = fc.array(field, { maxLength: 6 }).map((fields) => {
      // CDATA cannot hold "]]>"; everything else (NUL included) is sent as a hostile sender would.
      const body = fields.map(([k, v]) => `<${k}><![CDATA[${v.replace(/]]>/g, '')}]]></${k}>`).join('');
      return `<xml><AppId><![CDATA[${componentAppId}]]></AppId>${body}</xml>`;
    });
    const mutation = fc.constantFrom('none', 'none', 'none', 'signature', 'timestamp', 'truncate', 'body', 'query');

    await fc.assert(
      fc.asyncProperty(message, mutation, hostile, async (xml, how, junk) => {
        const push = crypto.encryptPush(xml, String(Math.floor(Date.now() / 1000)));
        const query: Record<string, string> = { ...push.query };
        let bodyText = push.body;
        if (how === 'signature') query.msg_signature = query.msg_signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
        if (how === 'timestamp') query.timestamp = junk;
        if (how === 'truncate') bodyText = bodyText.slice(0, Math.floor(bodyText.length / 2));
        if (how === 'body') bodyText = junk;
        if (how === 'query') query[junk] = junk;
        const qs = Object.entries(query)
          .map(([k, v]) => `${rawSegment(k)}=${rawSegment(v)}`)
          .join('&');
        const answer = await send(
          base,
          'POST',
          `/wechat/component/events?${qs}`,
          { 'Content-Type': 'text/xml' },
          Buffer.from(bodyText),
        );
        if (answer.status >= 500) throw new Error(`push (${how}): ${answer.status} ${answer.text.slice(0, 300)}`);
        if (answer.status === 200) expect(answer.text).toBe('success');
        else expectErrorJson(answer, `push (${how})`);
        // An authentic push is never refused: WeChat would retry it forever.
        if (how === 'none') expect(answer.status).toBe(200);
      }),
      { numRuns: 600, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
    expect((await send(base, 'GET', '/health/live', {}, undefined)).status).toBe(200);
    expect(h.logs.lines.filter((l) => JSON.parse(l).level >= 60)).toEqual([]);
  }, 120_000);
});
