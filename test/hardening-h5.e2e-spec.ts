// Over 300 lines on purpose: one harness with two onboarded tenants serves every probe; split, each
// file would onboard and configure its own, and the probes of one route are easier to read together.
import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, onboardTenant, sql, type OnboardedTenant } from './support/onboarding';
import {
  allowOrigins,
  authorizeUrl,
  createTokenKey,
  decideAtWeChat,
  H5_ORIGIN,
  open,
  redeem,
  runFlow,
} from './support/web-oauth';

const OTHER = '00000000-0000-4000-8000-000000000000';
let address = 0;
/** Each probe from its own client address (X-Forwarded-For is trusted from loopback), so the public limit is not what answers. */
const fresh = () => `10.9.${Math.floor(++address / 250)}.${address % 250}`;

interface Probe {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  path: string;
  key?: string;
  body?: string;
  type?: string;
  accept?: string;
}

describe('hardening: the H5 routes, sessions, audit export, tenant settings and brand assets under hostile input', () => {
  let h: Harness;
  let a: OnboardedTenant;
  let b: OnboardedTenant;
  let tokenKeyA: string;

  beforeAll(async () => {
    h = await startHarness({ sim: { webOAuthDomains: ['127.0.0.1'] } });
    a = await onboardTenant(h, { permissionSets: [1, 2, 4], followers: ['o_a_1'] });
    b = await onboardTenant(h, { permissionSets: [1, 2, 4], followers: ['o_b_1'] });
    await allowOrigins(h, a.id);
    await allowOrigins(h, b.id);
    tokenKeyA = await createTokenKey(h, a.id);
  }, 60_000);
  afterAll(() => h?.close());

  async function send(p: Probe): Promise<{ status: number; text: string; location: string | null; ms: number }> {
    const started = Date.now();
    const headers: Record<string, string> = { 'X-Forwarded-For': fresh() };
    if (p.key) headers.Authorization = `Bearer ${p.key}`;
    if (p.type) headers['Content-Type'] = p.type;
    if (p.accept) headers.Accept = p.accept;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 5_000);
    try {
      const res = await fetch(`${h.url}${p.path}`, {
        method: p.method,
        headers,
        body: p.body,
        redirect: 'manual',
        signal: controller.signal,
      });
      return { status: res.status, text: await res.text(), location: res.headers.get('location'), ms: Date.now() - started };
    } catch (e) {
      return { status: 0, text: `no answer: ${(e as Error).message}`, location: null, ms: Date.now() - started };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Every probe must end in a 2xx/3xx/4xx within 5 s; returns the failures to show them all at once. */
  async function run(probes: Probe[]): Promise<string[]> {
    const bad: string[] = [];
    for (const p of probes) {
      const r = await send(p);
      if (r.status === 0 || r.status >= 500) bad.push(`${p.name}: ${r.status} ${r.text.slice(0, 200)}`);
    }
    return bad;
  }

  const authorize = (tenant: string, qs: string): Probe => ({
    name: `authorize ${tenant.slice(0, 8)}?${qs.slice(0, 80)}`,
    method: 'GET',
    path: `/web-oauth/${tenant}/authorize?${qs}`,
  });

  it('GET /web-oauth/:tenantId/authorize: no hostile query is a 5xx, a hang or a redirect off the allow-list', async () => {
    const ok = `returnUrl=${encodeURIComponent(`${H5_ORIGIN}/m`)}`;
    const qss = [
      '',
      'scope=snsapi_base',
      `scope=snsapi_base&scope=snsapi_userinfo&${ok}`,
      `scope[]=snsapi_base&${ok}`,
      `scope[a]=b&${ok}`,
      `scope=snsapi_base&${ok}&${ok}`,
      `scope=snsapi_base&returnUrl[x]=1`,
      `scope=snsapi_base&${ok}&state=${'x'.repeat(129)}`,
      `scope=snsapi_base&${ok}&state=${'é'.repeat(65)}`,
      `scope=snsapi_base&${ok}&state=a&state=b`,
      `scope=snsapi_base&${ok}&state=%00`,
      `scope=snsapi_base&${ok}&state=%0d%0aSet-Cookie:%20x=1`,
      `scope=snsapi_base&${ok}&state=%E0%A4%A`,
      `scope=snsapi_base&${ok}&state=%`,
      `scope=%ZZ&${ok}`,
      `scope=snsapi_base%00&${ok}`,
      `scope=${'s'.repeat(20_000)}&${ok}`,
      `scope=snsapi_base&returnUrl=${'h'.repeat(10_000)}`,
      `%=%&scope=snsapi_base&${ok}`,
      `scope=snsapi_base&${ok}&__proto__=x&constructor[prototype][x]=1`,
    ];
    const tenants = [
      a.id,
      'not-a-uuid',
      OTHER,
      `${a.id}%00`,
      'A'.repeat(300),
      '%E0%A4%A',
      encodeURIComponent(a.id.toUpperCase()),
    ];
    const probes = [
      ...qss.map((qs) => authorize(a.id, qs)),
      ...tenants.map((t) => authorize(t, `scope=snsapi_base&${ok}`)),
      { name: 'POST authorize', method: 'POST' as const, path: `/web-oauth/${a.id}/authorize?scope=snsapi_base&${ok}` },
    ];
    expect(await run(probes)).toEqual([]);
  });

  it('returnUrl tricks are refused with 400, never sent on as a redirect', async () => {
    const tricks = [
      'https://h5.merchant.example@evil.example/',
      'https://evil.example@h5.merchant.example/',
      'https://user:pw@h5.merchant.example/',
      'https://h5.merchant.example\\@evil.example/',
      'https://h5.merchant.example\\evil.example',
      '//evil.example/',
      '///evil.example/',
      '/\\evil.example',
      'https:evil.example',
      'https:/evil.example',
      'https://h5.merchant.example.evil.example/',
      'https://evil.example/?https://h5.merchant.example',
      'https://evil.example/#https://h5.merchant.example',
      'https://h5.merchant.example:8443/',
      'https://h5.merchant.example:443@evil.example/',
      'http://h5.merchant.example/',
      'HTTPS://EVIL.EXAMPLE/',
      'https://ｅｖｉｌ.example/',
      'https://xn--e1afmkfd.example/',
      'https://h5.merchant.example%2eevil.example/',
      'https://h5.merchant.example%00.evil.example/',
      'https://evil.example%09/',
      'javascript:alert(1)//https://h5.merchant.example',
      'data:text/html,<script>alert(1)</script>',
      'JaVaScRiPt:alert(1)',
      'vbscript:x',
      'file:///etc/passwd',
      ' https://h5.merchant.example/',
      'https://h5.merchant.example/ ',
      '\thttps://evil.example/',
      'https://evil.example\t/',
      'https://ev\nil.example/',
      'https://[::1]/',
      'https://127.0.0.1/',
      'https://h5.merchant.example.',
      '',
    ];
    const bad: string[] = [];
    for (const t of tricks) {
      const r = await send(authorize(a.id, `scope=snsapi_base&returnUrl=${encodeURIComponent(t)}`));
      const sentTo = r.location && !r.location.startsWith(h.config.wechat.openBaseUrl) ? r.location : null;
      if (r.status === 302) {
        // Accepted: then it must be the allowed origin exactly (WHATWG-normalised).
        const back = new URL(r.location!).searchParams;
        expect(back.get('state')).toMatch(/^[A-Za-z0-9]{32}$/);
        continue;
      }
      if (r.status !== 400 || sentTo) bad.push(`${JSON.stringify(t)}: ${r.status} ${r.location ?? ''} ${r.text.slice(0, 120)}`);
    }
    expect(bad).toEqual([]);
    // A returnUrl carrying what the callback appends (a planted ticket would be read first).
    for (const planted of ['wtg_ticket=wor_planted', 'state=x', 'error=access_denied', 'WTG_Ticket=x']) {
      const r = await send(authorize(a.id, `scope=snsapi_base&returnUrl=${encodeURIComponent(`${H5_ORIGIN}/m?${planted}`)}`));
      expect({ planted, status: r.status }).toEqual({ planted, status: 400 });
    }
  });

  it('GET /web-oauth/callback: odd codes, states and appids are pages or redirects, never 5xx', async () => {
    const qss = [
      '',
      'state=',
      'code=x',
      `state=${'A'.repeat(32)}&code=x&appid=${a.appId}`,
      'state=a&state=b&code=x',
      'state[]=x',
      `state=${'A'.repeat(10_000)}`,
      'state=%00&code=%00&appid=%00',
      'state=%E0%A4%A&code=%&appid=%ZZ',
      `code=${'c'.repeat(20_000)}&state=${'B'.repeat(32)}`,
    ];
    expect(
      await run(
        qss.map((qs) => ({ name: `callback?${qs.slice(0, 60)}`, method: 'GET' as const, path: `/web-oauth/callback?${qs}` })),
      ),
    ).toEqual([]);
  });

  it('a live state with a hostile code or appid: 4xx, and the code never reaches a log', async () => {
    const bad: string[] = [];
    const codes = ['%00', `${'c'.repeat(3000)}`, 'a%0d%0ab', '%E4%BD%A0', 'x&appid=y', '%2e%2e%2f%2e%2e%2fetc', 'a b'];
    for (const code of codes) {
      const start = await send(authorize(a.id, `scope=snsapi_base&returnUrl=${encodeURIComponent(`${H5_ORIGIN}/m`)}`));
      const nonce = new URL(start.location!).searchParams.get('state')!;
      for (const appid of [a.appId, b.appId, '', `${a.appId}%00`]) {
        const r = await send({
          name: 'cb',
          method: 'GET',
          path: `/web-oauth/callback?state=${nonce}&code=${code}&appid=${appid}`,
        });
        if (r.status === 0 || r.status >= 500)
          bad.push(`code ${code.slice(0, 20)} appid ${appid}: ${r.status} ${r.text.slice(0, 160)}`);
        if (r.location && !r.location.startsWith(H5_ORIGIN)) bad.push(`code ${code.slice(0, 20)}: redirect to ${r.location}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('redemptions, exchanges, JS-SDK signatures and tickets: hostile bodies, other tenants and wrong methods are 4xx', async () => {
    const json = 'application/json';
    const bodies = [
      '',
      '{',
      'null',
      '[]',
      '"wor_x"',
      '{"ticket":null}',
      '{"ticket":["wor_a","wor_b"]}',
      '{"ticket":{"$ne":1}}',
      `{"ticket":"wor_${'a'.repeat(100_000)}"}`,
      '{"ticket":"wor_\\u0000aaaaaaaaaaaaaaaaaaaaaaaaa"}',
      '{"ticket":"wor_aaaaaaaaaaaaaaaaaaaaaaaaaaaa","ticket":"x"}',
      '{"__proto__":{"ticket":"x"}}',
      '{"code":null}',
      '{"code":"\\u0000"}',
      '{"code":"x","scope":["snsapi_base"]}',
      '{"code":"x","scope":"snsapi_login"}',
      `{"code":"${'c'.repeat(600)}"}`,
      '{"url":null}',
      '{"url":"https://h5.merchant.example/#x"}',
      '{"url":"javascript:alert(1)"}',
      '{"url":"https://h5.merchant.example/\\u0000"}',
      '{"url":"https://h5.merchant.example/%"}',
      '{"url":"https://h5.merchant.example/你好"}',
      `{"url":"https://h5.merchant.example/${'p'.repeat(5000)}"}`,
      '{"url":["https://h5.merchant.example/"]}',
      '{"url":"//h5.merchant.example/"}',
      '{"url":"HTTPS://H5.MERCHANT.EXAMPLE/"}',
    ];
    const routes = [
      (t: string) => `/v1/tenants/${t}/web-oauth/redemptions`,
      (t: string) => `/v1/tenants/${t}/web-oauth/exchanges`,
      (t: string) => `/v1/tenants/${t}/jssdk/signatures`,
      (t: string) => `/v1/tenants/${t}/tickets/jsapi/invalidations`,
      (t: string) => `/v1/tenants/${t}/tickets/wx_card/invalidations`,
      (t: string) => `/v1/tenants/${t}/tickets/%00/invalidations`,
      (t: string) => `/v1/tenants/${t}/tickets/${'x'.repeat(500)}/invalidations`,
    ];
    const probes: Probe[] = [];
    for (const route of routes) {
      for (const body of bodies)
        probes.push({
          name: `${route(a.id)} ${body.slice(0, 40)}`,
          method: 'POST',
          path: route(a.id),
          key: a.apiKey,
          body,
          type: json,
        });
      for (const [who, key] of [
        ['op', h.operatorKey],
        ['b', b.apiKey],
        ['token', tokenKeyA],
        ['none', ''],
      ] as const) {
        for (const t of [a.id, b.id, 'not-a-uuid', OTHER, `${a.id}%00`]) {
          probes.push({
            name: `${who} ${route(t)}`,
            method: 'POST',
            path: route(t),
            key: key || undefined,
            body: '{"ticket":"wor_aaaaaaaaaaaaaaaaaaaaaaaaaaaa","code":"x","url":"https://h5.merchant.example/"}',
            type: json,
          });
        }
      }
      for (const type of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/json; charset=latin1',
      ])
        probes.push({
          name: `${route(a.id)} as ${type}`,
          method: 'POST',
          path: route(a.id),
          key: a.apiKey,
          body: 'ticket=wor_x',
          type,
        });
      for (const method of ['GET', 'PUT', 'DELETE', 'PATCH'] as const)
        probes.push({ name: `${method} ${route(a.id)}`, method, path: route(a.id), key: a.apiKey });
    }
    for (const t of [a.id, b.id, 'not-a-uuid', OTHER])
      for (const type of ['jsapi', 'wx_card', 'JSAPI', 'x', '%00', '..%2f..%2fhealth'])
        for (const key of [h.operatorKey, a.apiKey, tokenKeyA, b.apiKey])
          probes.push({
            name: `GET tickets/${type} of ${t.slice(0, 8)}`,
            method: 'GET',
            path: `/v1/tenants/${t}/tickets/${type}`,
            key,
          });
    expect(await run(probes)).toEqual([]);
  }, 120_000);

  it('GET /v1/audit-events (JSON and NDJSON): bad filters and odd `since` are 400, never a broken stream', async () => {
    const qss = [
      'since=0000-01-01T00:00:00Z',
      'since=+275760-09-13T00:00:00Z',
      'since=-000001-01-01T00:00:00Z',
      'since=2026-13-01T00:00:00Z',
      'since=2026-02-30T00:00:00Z',
      'since=2026-01-01T24:00:00Z',
      'since=2026-01-01T23:59:60Z',
      'since=2026-01-01',
      'since=2026',
      'since=1733000000',
      'since=2026-01-01T00:00:00%2B25:00',
      'since=2026-01-01T00:00:00.123456789Z',
      'since=2026-W01-1',
      'since=2026-001',
      'since=',
      'since=now',
      'since=2026-01-01T00:00:00Z&since=2026-01-02T00:00:00Z',
      'since[]=x',
      'tenantId=not-a-uuid',
      'tenantId=',
      `tenantId=${a.id}&tenantId=${b.id}`,
      'tenantId=%00',
      'action=%00',
      `action=${'a'.repeat(5000)}`,
      'action[]=x',
      'cursor=%00',
      'cursor=AAAA',
      `cursor=${'A'.repeat(5000)}`,
      'cursor=-1',
      'limit=-1',
      'limit=1e9',
      'limit=0x10',
      'limit=a&limit=b',
    ];
    const probes: Probe[] = [];
    for (const qs of qss)
      for (const accept of ['application/json', 'application/x-ndjson', 'application/X-NDJSON;q=0.9, */*'])
        probes.push({
          name: `audit ${accept} ?${qs.slice(0, 50)}`,
          method: 'GET',
          path: `/v1/audit-events?${qs}`,
          key: h.operatorKey,
          accept,
        });
    for (const key of [a.apiKey, tokenKeyA])
      probes.push({ name: 'audit by tenant key', method: 'GET', path: '/v1/audit-events', key, accept: 'application/x-ndjson' });
    expect(await run(probes)).toEqual([]);
    // Instants PostgreSQL cannot hold, impossible dates and non-dates: 400 in both forms, before any byte is streamed.
    for (const since of ['0000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '2026-02-30T00:00:00Z', 'now', '1733000000']) {
      for (const accept of ['application/json', 'application/x-ndjson']) {
        const r = await request(h.url).get('/v1/audit-events').query({ since }).set(bearer(h.operatorKey)).set('Accept', accept);
        expect({ since, accept, status: r.status }).toEqual({ since, accept, status: 400 });
      }
    }
    // A tenant key reads no other tenant's trail, not even by filter.
    const own = await request(h.url).get(`/v1/audit-events?tenantId=${b.id}`).set(bearer(a.apiKey));
    expect(own.status).toBe(403);
  });

  it('authorization sessions (list, close), PATCH webOAuthOrigins, the sandbox demo page and the brand logo: hostile input is 4xx', async () => {
    const probes: Probe[] = [];
    for (const qs of [
      'status=open',
      'status=closed',
      'status=%00',
      'status=open&status=closed',
      'status[]=open',
      `status=${'x'.repeat(5000)}`,
      'cursor=%00',
      'limit=-5',
    ])
      for (const key of [a.apiKey, b.apiKey, h.operatorKey, tokenKeyA])
        probes.push({
          name: `sessions?${qs.slice(0, 40)}`,
          method: 'GET',
          path: `/v1/tenants/${a.id}/authorization-sessions?${qs}`,
          key,
        });
    for (const sid of ['not-a-uuid', OTHER, '%00', 'x'.repeat(500), `${OTHER}%20`])
      for (const key of [a.apiKey, b.apiKey, h.operatorKey, tokenKeyA])
        probes.push({
          name: `DELETE session ${sid.slice(0, 20)}`,
          method: 'DELETE',
          path: `/v1/tenants/${a.id}/authorization-sessions/${sid}`,
          key,
        });
    const patches = [
      '{"webOAuthOrigins":null}',
      '{"webOAuthOrigins":"https://a.example"}',
      '{"webOAuthOrigins":[null]}',
      '{"webOAuthOrigins":[["https://a.example"]]}',
      '{"webOAuthOrigins":[{"a":1}]}',
      '{"webOAuthOrigins":["https://a.example\\u0000"]}',
      '{"webOAuthOrigins":["https://a@b.example"]}',
      '{"webOAuthOrigins":["https://a.example\\\\@b"]}',
      '{"webOAuthOrigins":["javascript:alert(1)"]}',
      '{"webOAuthOrigins":["data:text/html,x"]}',
      '{"webOAuthOrigins":["https://%00.example"]}',
      `{"webOAuthOrigins":["https://${'a'.repeat(70_000)}.example"]}`,
      `{"webOAuthOrigins":${JSON.stringify(Array.from({ length: 5000 }, (_, i) => `https://h${i}.example`))}}`,
      '{"webOAuthOrigins":["https://a.example:99999"]}',
      '{"webOAuthOrigins":["https://[::1"]}',
      '{"name":"x"}',
      '{}',
      '[]',
      'null',
    ];
    for (const body of patches)
      probes.push({
        name: `PATCH ${body.slice(0, 50)}`,
        method: 'PATCH',
        path: `/v1/tenants/${a.id}`,
        key: h.operatorKey,
        body,
        type: 'application/json',
      });
    for (const t of ['not-a-uuid', OTHER, '%00'])
      probes.push({
        name: `PATCH ${t}`,
        method: 'PATCH',
        path: `/v1/tenants/${t}`,
        key: h.operatorKey,
        body: '{"webOAuthOrigins":[]}',
        type: 'application/json',
      });
    for (const qs of [
      '',
      'wtg_ticket=',
      'wtg_ticket=wor_x',
      'wtg_ticket=%00',
      'wtg_ticket=a&wtg_ticket=b',
      'wtg_ticket[]=x',
      `wtg_ticket=${'w'.repeat(10_000)}`,
      'error=access_denied&state=%3Cscript%3E',
    ])
      for (const t of [a.id, 'not-a-uuid', OTHER, '%00'])
        probes.push({
          name: `demo ${t.slice(0, 8)}?${qs.slice(0, 40)}`,
          method: 'GET',
          path: `/sandbox/web-oauth-demo/${t}?${qs}`,
        });
    for (const ext of ['png', 'svg', 'PNG', '%00', '..%2f..%2fetc%2fpasswd', 'x'.repeat(500), 'png%00.svg'])
      probes.push({ name: `logo .${ext.slice(0, 20)}`, method: 'GET', path: `/onboarding-assets/brand-logo.${ext}` });
    expect(await run(probes)).toEqual([]);
  }, 120_000);

  it('tickets: one of ten concurrent redemptions wins; replayed, expired and other tenants’ tickets are 410 and cost nothing', async () => {
    const ticketOf = async (tenant: OnboardedTenant, openid: string) =>
      (await runFlow(h, tenant.id, openid, { scope: 'snsapi_base', state: 'x1' })).get('wtg_ticket')!;
    const t1 = await ticketOf(a, 'o_a_1');
    const results = await Promise.all(Array.from({ length: 10 }, () => redeem(h, a.id, t1, a.apiKey)));
    expect(results.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(410)]);
    expect((await redeem(h, a.id, t1)).status).toBe(410);

    // Another tenant's ticket: 410 to B (its key or the operator's on B's path), still good for A afterwards.
    const t2 = await ticketOf(a, 'o_a_1');
    expect((await redeem(h, b.id, t2, b.apiKey)).body.error.code).toBe('WEB_OAUTH_TICKET_INVALID');
    expect((await redeem(h, b.id, t2)).status).toBe(410);
    expect((await redeem(h, a.id, t2, b.apiKey)).status).toBe(404);
    expect((await redeem(h, a.id, t2, tokenKeyA)).status).toBe(403);
    const demoOfB = await send({ name: 'demo', method: 'GET', path: `/sandbox/web-oauth-demo/${b.id}?wtg_ticket=${t2}` });
    expect(demoOfB.status).toBe(410);
    expect((await redeem(h, a.id, t2, a.apiKey)).body).toMatchObject({ openid: 'o_a_1', appId: a.appId });

    // Expired.
    const t3 = await ticketOf(a, 'o_a_1');
    await sql(h, `UPDATE web_oauth_tickets SET expires_at = now() - interval '1 second' WHERE tenant_id = $1`, [a.id]);
    expect((await redeem(h, a.id, t3, a.apiKey)).status).toBe(410);
  });

  it('no ticket, code, nonce or follower token reaches the logs, an error body or a non-returnUrl Location', async () => {
    const start = await open(authorizeUrl(h, a.id, { scope: 'snsapi_userinfo', returnUrl: `${H5_ORIGIN}/m`, state: 'logs' }));
    const callback = await decideAtWeChat(start.location!, 'o_a_1');
    const code = new URL(callback).searchParams.get('code')!;
    const nonce = new URL(callback).searchParams.get('state')!;
    const back = await open(callback);
    expect(back.status).toBe(302);
    const ticket = new URL(back.location!).searchParams.get('wtg_ticket')!;
    expect(ticket).toMatch(/^wor_/);
    await redeem(h, a.id, ticket, a.apiKey).expect(200);
    // A client that puts the ticket in the path by mistake: the request line is logged.
    await send({
      name: 'ticket in path',
      method: 'POST',
      path: `/v1/tenants/${a.id}/web-oauth/redemptions/${ticket}`,
      key: a.apiKey,
    });
    // Replayed: the code and state are spent; the refusal page names neither.
    const again = await open(callback, { json: true });
    expect(again.status).toBe(400);
    expect(again.body).not.toContain(code);
    expect(again.body).not.toContain(nonce);
    const logs = h.logs.text();
    expect(logs).not.toMatch(/wor_[A-Za-z0-9_-]{10,}/);
    expect(logs).not.toContain(code);
    expect(logs).not.toContain(nonce);
    expect(logs).not.toContain(ticket);
    expect(logs).not.toMatch(/sim_(jsapi|card)_/);
    expect(logs).not.toMatch(/"(access_token|refresh_token|ticket|code)":"[^"]{8,}/);
  });

  it('every public route of these features is rate-limited per address', async () => {
    const routes = [
      `/web-oauth/${a.id}/authorize?scope=snsapi_base&returnUrl=${encodeURIComponent(`${H5_ORIGIN}/m`)}`,
      '/web-oauth/callback?state=x',
      `/sandbox/web-oauth-demo/${a.id}`,
      '/onboarding-assets/brand-logo.png',
    ];
    for (const path of routes) {
      const from = `10.8.0.${routes.indexOf(path) + 1}`;
      const statuses: number[] = [];
      for (let i = 0; i < 70; i++) {
        const r = await fetch(`${h.url}${path}`, { redirect: 'manual', headers: { 'X-Forwarded-For': from } });
        await r.arrayBuffer();
        statuses.push(r.status);
      }
      expect({ path, limited: statuses.includes(429) }).toEqual({ path, limited: true });
    }
  }, 60_000);

  it("no tenant lists or closes another tenant's onboarding session, whatever path or key it uses", async () => {
    const created = await request(h.url)
      .post(`/v1/tenants/${b.id}/authorization-sessions`)
      .set(bearer(b.apiKey))
      .send({})
      .expect(201);
    const sid: string = created.body.id;
    const listed = await request(h.url)
      .get(`/v1/tenants/${a.id}/authorization-sessions?status=open`)
      .set(bearer(a.apiKey))
      .expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(sid);
    await request(h.url).delete(`/v1/tenants/${a.id}/authorization-sessions/${sid}`).set(bearer(a.apiKey)).expect(404);
    await request(h.url).delete(`/v1/tenants/${a.id}/authorization-sessions/${sid}`).set(bearer(h.operatorKey)).expect(404);
    await request(h.url).delete(`/v1/tenants/${b.id}/authorization-sessions/${sid}`).set(bearer(a.apiKey)).expect(404);
    await request(h.url).delete(`/v1/tenants/${b.id}/authorization-sessions/${sid}`).set(bearer(tokenKeyA)).expect(404);
    const still = await request(h.url)
      .get(`/v1/tenants/${b.id}/authorization-sessions?status=open`)
      .set(bearer(b.apiKey))
      .expect(200);
    expect(still.body.items.map((s: { id: string }) => s.id)).toContain(sid);
    // The link still works: closing by another tenant changed nothing.
    const page = await fetch(created.body.onboardingUrl, { headers: { 'X-Forwarded-For': fresh() } });
    expect(page.status).toBe(200);
    await request(h.url).delete(`/v1/tenants/${b.id}/authorization-sessions/${sid}`).set(bearer(b.apiKey)).expect(204);
  });

  it('the same WeChat redirect followed five times at once: one exchange, one ticket', async () => {
    const start = await open(authorizeUrl(h, a.id, { scope: 'snsapi_base', returnUrl: `${H5_ORIGIN}/m` }));
    const callback = await decideAtWeChat(start.location!, 'o_a_1');
    const since = h.sim.calls({ api: 'sns/oauth2/component/access_token' }).length;
    const answers = await Promise.all(Array.from({ length: 5 }, () => open(callback)));
    const tickets = answers.filter((r) => r.status === 302 && r.location?.includes('wtg_ticket='));
    expect(tickets).toHaveLength(1);
    expect(answers.filter((r) => r.status === 400)).toHaveLength(4);
    expect(h.sim.calls({ api: 'sns/oauth2/component/access_token' }).length - since).toBe(1);
  });

  it('pending and deleted tenants, odd methods and content types on the public and settings routes: 4xx, never 5xx', async () => {
    const pending = (await request(h.url).post('/v1/tenants').set(bearer(h.operatorKey)).send({ name: 'Pending' }).expect(201))
      .body;
    const gone = (await request(h.url).post('/v1/tenants').set(bearer(h.operatorKey)).send({ name: 'Gone' }).expect(201)).body;
    await request(h.url).delete(`/v1/tenants/${gone.id}`).set(bearer(h.operatorKey)).expect(204);
    const ok = `scope=snsapi_base&returnUrl=${encodeURIComponent(`${H5_ORIGIN}/m`)}`;
    const probes: Probe[] = [];
    for (const t of [pending.id, gone.id]) {
      probes.push(authorize(t, ok));
      for (const accept of ['application/json', 'text/html', '*/*', 'application/x-ndjson'])
        probes.push({ ...authorize(t, ok), name: `authorize ${t} as ${accept}`, accept });
      probes.push({
        name: `sign ${t}`,
        method: 'POST',
        path: `/v1/tenants/${t}/jssdk/signatures`,
        key: h.operatorKey,
        body: '{"url":"https://h5.merchant.example/"}',
        type: 'application/json',
      });
      probes.push({ name: `jsapi ${t}`, method: 'GET', path: `/v1/tenants/${t}/tickets/jsapi`, key: h.operatorKey });
      probes.push({
        name: `exchange ${t}`,
        method: 'POST',
        path: `/v1/tenants/${t}/web-oauth/exchanges`,
        key: h.operatorKey,
        body: '{"code":"x"}',
        type: 'application/json',
      });
      probes.push({
        name: `patch ${t}`,
        method: 'PATCH',
        path: `/v1/tenants/${t}`,
        key: h.operatorKey,
        body: '{"webOAuthOrigins":[]}',
        type: 'application/json',
      });
      probes.push({
        name: `audit ${t}`,
        method: 'GET',
        path: `/v1/audit-events?tenantId=${t}`,
        key: h.operatorKey,
        accept: 'application/x-ndjson',
      });
    }
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'application/json; charset=utf-16'])
      probes.push({
        name: `PATCH as ${type}`,
        method: 'PATCH',
        path: `/v1/tenants/${a.id}`,
        key: h.operatorKey,
        body: 'webOAuthOrigins=x',
        type,
      });
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) {
      probes.push({ name: `${method} callback`, method, path: '/web-oauth/callback?state=x' });
      probes.push({ name: `${method} demo`, method, path: `/sandbox/web-oauth-demo/${a.id}` });
      probes.push({ name: `${method} logo`, method, path: '/onboarding-assets/brand-logo.png' });
      probes.push({ name: `${method} audit`, method, path: '/v1/audit-events', key: h.operatorKey });
    }
    expect(await run(probes)).toEqual([]);
    // The pending tenant is refused as not active, the deleted one as unknown.
    expect((await send({ ...authorize(pending.id, ok), accept: 'application/json' })).status).toBe(409);
    expect((await send({ ...authorize(gone.id, ok), accept: 'application/json' })).status).toBe(404);
  });
});
