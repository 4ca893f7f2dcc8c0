import request from 'supertest';
import { BATCH_BLOCK } from './support/blacklist-helpers';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer, createTenant, onboardTenant } from './support/onboarding';
import { startReceiver, until } from './support/webhook-receiver';
import { sql } from './support/onboarding';
import { WeChatCallCountsSweep } from '../apps/gateway/src/platform/wechat-clients/wechat-call-counts-sweep.schedule';

const MISSING = '00000000-0000-4000-8000-000000000000';

async function signIn(h: Harness): Promise<string> {
  const res = await request(h.url).post('/console/login').type('form').send({ key: h.operatorKey }).expect(303);
  return res.headers['set-cookie'][0].split(';')[0];
}
const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)![1];

/** The console under the API's rules: one guard, statuses from platform/errors/error-status.ts, pages in the operator's language. */
describe('operator console: session guard, error statuses, language and time zone, overview', () => {
  let h: Harness;
  let cookie: string;
  let csrf: string;
  beforeAll(async () => {
    h = await startHarness({ config: (c) => ({ ...c, consoleTimeZone: 'Asia/Shanghai' }) });
    await h.sim.pushTicket();
    cookie = await signIn(h);
    csrf = csrfOf((await request(h.url).get('/console').set('Cookie', cookie).expect(200)).text);
  });
  afterAll(() => h?.close());

  const page = (path: string) => request(h.url).get(path).set('Cookie', cookie);
  const post = (path: string, form: Record<string, string> = { csrf }) =>
    request(h.url).post(path).set('Cookie', cookie).type('form').send(form);

  it('domain errors take their status from the table: unknown job 404, unknown tenant 404, stale form 403, no session 303/401', async () => {
    const t = await createTenant(h, 'Status Table Tea');
    const job = await post(`/console/tenants/${t.id}/jobs/${MISSING}/cancel`).expect(404);
    expect(job.text).toContain('data-code="JOB_NOT_FOUND"');
    expect(job.text).toContain('没有这个任务');
    expect(job.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(job.headers['x-frame-options']).toBe('DENY');
    expect(job.text).toContain('id="sign-out"'); // still signed in: the page keeps its navigation

    expect((await page(`/console/tenants/${MISSING}`).expect(404)).text).toContain('data-code="TENANT_NOT_FOUND"');
    expect((await page('/console/tenants/not-a-uuid').expect(404)).text).toContain('data-code="TENANT_NOT_FOUND"');
    expect((await page(`/console/tenants/${MISSING}/live.json`).expect(404)).body.error.code).toBe('TENANT_NOT_FOUND');

    const stale = await post(`/console/tenants/${t.id}/onboarding-links`, { csrf: 'forged' }).expect(403);
    expect(stale.text).toContain('data-code="FORBIDDEN"');
    await post('/console/logout', { csrf: 'forged' }).expect(403);

    const anonymous = await request(h.url).get(`/console/tenants/${t.id}`).expect(303);
    expect(anonymous.headers.location).toBe('/console/login');
    await request(h.url).post(`/console/tenants/${t.id}/onboarding-links`).type('form').send({ csrf }).expect(303);
    const json = await request(h.url).get(`/console/tenants/${t.id}/live.json`).expect(401);
    expect(json.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('"New onboarding link" at the per-tenant cap answers 409 with the tenant page, pointing at its open links to close one', async () => {
    const t = await createTenant(h, 'Busy Bakery');
    for (let i = 0; i < 20; i++) await post(`/console/tenants/${t.id}/onboarding-links`).expect(200);
    const capped = await post(`/console/tenants/${t.id}/onboarding-links`).expect(409);
    expect(capped.text).toContain('data-code="TOO_MANY_SESSIONS"');
    expect(capped.text).toContain('请在下方「未完成的授权链接」中关闭不再需要的链接');
    expect(capped.text).toContain('href="#open-sessions"');
    expect(capped.text.match(/<tr data-session-id=/g)).toHaveLength(20);
    const en = await post(`/console/tenants/${t.id}/onboarding-links`).set('Accept-Language', 'en').expect(409);
    expect(en.text).toContain('Close one it no longer needs under “Open onboarding links” below');

    // Closing one from the list makes room for a new link.
    const id = /<tr data-session-id="([^"]+)"/.exec(capped.text)![1];
    await post(`/console/tenants/${t.id}/authorization-sessions/${id}/close`).expect(303);
    await post(`/console/tenants/${t.id}/onboarding-links`).expect(200);
  });

  it('tenant page: open onboarding links with their times in the zone; Close needs the form token, is audited as the console, and the link then answers 410', async () => {
    const t = await createTenant(h, 'Closing Tea');
    const made = await post(`/console/tenants/${t.id}/onboarding-links`).expect(200);
    const link = new URL(/id="onboarding-link" href="([^"]+)"/.exec(made.text)![1]).pathname;
    await request(h.url).get(link).expect(200);
    const openNow = () =>
      request(h.url).get(`/v1/tenants/${t.id}/authorization-sessions?status=open`).set(bearer(h.operatorKey)).expect(200);
    const [{ id, createdAt, expiresAt }] = (await openNow()).body.items;

    const shown = (await page(`/console/tenants/${t.id}`).expect(200)).text;
    const row = new RegExp(`<tr data-session-id="${id}">[\\s\\S]*?</tr>`).exec(shown)![0];
    const shanghai = (iso: string) =>
      new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
    expect(row).toContain(`<time datetime="${createdAt}">${shanghai(createdAt)} · `);
    expect(row).toContain(`<time datetime="${expiresAt}">${shanghai(expiresAt)} · `);
    expect(row).toMatch(
      new RegExp(
        `<form method="post" action="/console/tenants/${t.id}/authorization-sessions/${id}/close"[^>]*data-confirm="[^"]+"`,
      ),
    );
    expect(row).toContain('name="csrf"');

    const close = `/console/tenants/${t.id}/authorization-sessions/${id}/close`;
    expect((await post(close, { csrf: 'forged' }).expect(403)).text).toContain('data-code="FORBIDDEN"');
    await post(close, {}).expect(403);
    expect((await openNow()).body.items).toHaveLength(1);

    const closed = await post(close).expect(303);
    expect(closed.headers.location).toBe(`/console/tenants/${t.id}`);
    const after = (await page(`/console/tenants/${t.id}`).expect(200)).text;
    expect(after).not.toContain(`data-session-id="${id}"`);
    expect(after).toContain('没有未完成的授权链接');
    expect((await openNow()).body.items).toEqual([]);
    await request(h.url).get(link).expect(410);

    const audit = await request(h.url).get(`/v1/tenants/${t.id}/audit-events`).set(bearer(h.operatorKey)).expect(200);
    const line = audit.body.items.find((a: { action: string }) => a.action === 'authorization_session.closed');
    expect(line).toMatchObject({ actor: 'operator', actorName: expect.stringMatching(/^console:\S+$/) });

    // Closing it again changes nothing; an unknown or malformed session id is the API's 404.
    await post(close).expect(303);
    const unknown = await post(`/console/tenants/${t.id}/authorization-sessions/${MISSING}/close`).expect(404);
    expect(unknown.text).toContain('data-code="AUTHORIZATION_SESSION_NOT_FOUND"');
    await post(`/console/tenants/${t.id}/authorization-sessions/nope/close`).expect(404);
    const other = await createTenant(h, 'Not Its Session');
    await post(`/console/tenants/${other.id}/authorization-sessions/${id}/close`).expect(404);
  });

  it('Chinese by default, English by Accept-Language or ?lang= (remembered), times in CONSOLE_TIME_ZONE with relative times', async () => {
    const t = await onboardTenant(h, { name: 'Zone Tea', permissionSets: [2] });
    const zh = await page(`/console/tenants/${t.id}`).expect(200);
    expect(zh.headers['content-language']).toBe('zh-CN');
    expect(zh.text).toContain('<html lang="zh-CN">');
    expect(zh.text).toContain('id="tenant-status" data-status="active">已授权<');
    // The authorizer token expires in about 2 h: shown in Shanghai time with "2小时后"-style words.
    const [, iso, shown] = /<time datetime="([^"]+)">([^<]+)<\/time>/.exec(zh.text)!;
    const shanghai = new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
    expect(shown).toMatch(new RegExp(`^${shanghai} · \\d+\\s?(小时|分钟)后$`));

    const en = await page(`/console/tenants/${t.id}`).set('Accept-Language', 'en-US,en;q=0.9').expect(200);
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('>active<');
    expect(en.text).toMatch(/ · in \d+ (hours|minutes)<\/time>/);

    const switched = await page('/console/tenants?lang=en').expect(200);
    expect(switched.text).toContain('<html lang="en">');
    const lang = ([] as string[])
      .concat(switched.headers['set-cookie'] ?? [])
      .find((c: string) => c.startsWith('wtg_console_lang='))!
      .split(';')[0];
    const after = await request(h.url).get('/console').set('Cookie', `${cookie}; ${lang}`).expect(200);
    expect(after.text).toContain('<html lang="en">');
    expect(after.text).toContain('id="language-switch" lang="zh-CN" href="/console?lang=zh-CN"');
  });

  it('overview: tenants by status, re-authorization, budget, quota blocks, deliveries, jobs in flight', async () => {
    const body = (await page('/console').expect(200)).text;
    for (const id of [
      'component-status',
      'budget',
      'tenants-by-status',
      'reauthorization',
      'quota-blocks',
      'webhook-deliveries',
      'jobs-in-flight',
    ]) {
      expect(body).toContain(`id="${id}"`);
    }
    const active = Number(/data-status="active">[^<]+<strong>(\d+)</.exec(body)![1]);
    expect(active).toBeGreaterThanOrEqual(1);
    expect(body).toContain('data-api="api_create_preauthcode"');
  });

  it('overview: WeChat calls over the last 24 h by API and outcome, as a chart drawn by Chart.js served from node_modules', async () => {
    await onboardTenant(h, { name: 'Chart Tea', permissionSets: [2] });
    const body = (await page('/console').expect(200)).text;
    const data = JSON.parse(/<script type="application\/json" id="calls-data">([^<]*)<\/script>/.exec(body)![1]);
    expect(data.labels).toHaveLength(24);
    const queryAuth = data.series.find((s: { api: string; outcome: string }) => s.api === 'api_query_auth' && s.outcome === 'ok');
    expect(queryAuth.calls).toHaveLength(24);
    expect(queryAuth.calls[23]).toBeGreaterThanOrEqual(1);
    expect(body).toMatch(/<tr data-api="api_query_auth" data-outcome="ok">.*<span class="calls">\d+<\/span>/);
    expect(body).toContain('<script src="/console/assets/chart.umd.min.js"');
    const js = await request(h.url).get('/console/assets/chart.umd.min.js').expect(200);
    expect(js.headers['content-type']).toMatch(/^application\/javascript/);
    expect(js.text).toContain('Chart.js v4');

    // Counts older than two days go on the hourly sweep's schedule; the chart's day stays.
    await sql(
      h,
      `INSERT INTO wechat_call_counts (hour, api, outcome, calls) VALUES (date_trunc('hour', now()) - interval '3 days', 'api_query_auth', 'ok', 7)`,
    );
    expect(await sql(h, `SELECT cron FROM pgboss.schedule WHERE name = 'wechat-call-counts-sweep'`)).toEqual([
      { cron: '31 * * * *' },
    ]);
    await h.app.get(WeChatCallCountsSweep).run();
    const left = await sql<{ old: string; recent: string }>(
      h,
      `SELECT count(*) FILTER (WHERE hour < now() - interval '2 days') AS old, count(*) FILTER (WHERE hour >= now() - interval '1 day') AS recent FROM wechat_call_counts`,
    );
    expect(left).toEqual([{ old: '0', recent: expect.not.stringMatching(/^0$/) }]);
  });

  it('tenant page: deliveries about the tenant include operator endpoints; a cancelled job shows the share it handled', async () => {
    const rx = await startReceiver();
    try {
      await request(h.url).post('/v1/webhook-endpoints').set(bearer(h.operatorKey)).send({ url: rx.url }).expect(201);
      const t = await onboardTenant(h, { name: 'Delivery Tea', permissionSets: [2], followers: 400 });
      await until(() => rx.received.length > 0, 10_000);
      const detail = await until(async () => {
        const res = await page(`/console/tenants/${t.id}`).expect(200);
        return res.text.includes('data-status="delivered"') && res.text;
      }, 10_000);
      expect(detail).toContain('运营端点');
      expect(detail).toContain(rx.url);

      // Redeliver: the operator endpoint gets the same event again; an unknown delivery is a 404.
      const [, endpointId, eventId] = /\/deliveries\/([0-9a-f-]{36})\/([0-9a-f-]{36})\/redeliver/.exec(detail)!;
      const before = rx.byId(eventId).length;
      await post(`/console/tenants/${t.id}/deliveries/${endpointId}/${eventId}/redeliver`).expect(303);
      await until(() => rx.byId(eventId).length > before, 10_000);
      const unknown = await post(`/console/tenants/${t.id}/deliveries/${endpointId}/${MISSING}/redeliver`).expect(404);
      expect(unknown.text).toContain('data-code="WEBHOOK_EVENT_NOT_FOUND"');
      const other = await createTenant(h, 'Not About This Event');
      await post(`/console/tenants/${other.id}/deliveries/${endpointId}/${eventId}/redeliver`).expect(404);

      h.sim.addFault({ api: BATCH_BLOCK, type: 'delay', delayMs: 400, appId: t.appId });
      const job = await request(h.url)
        .post(`/v1/tenants/${t.id}/blacklist/jobs`)
        .set(bearer(h.operatorKey))
        .send({ action: 'block', openids: t.followers })
        .expect(202);
      await post(`/console/tenants/${t.id}/jobs/${job.body.id}/cancel`).expect(303);
      const done = await until(async () => {
        const res = await page(`/console/tenants/${t.id}/jobs.json`).expect(200);
        const j = res.body.jobs.find((x: { id: string }) => x.id === job.body.id);
        return j?.done && j;
      }, 10_000);
      expect(done.status).toBe('cancelled');
      expect(done.percent).toBe(Math.floor((done.processed * 100) / 400));
      expect(done.percent).toBeLessThan(100);
      const live = await page(`/console/tenants/${t.id}/live.json`).expect(200);
      expect(live.body.jobRows).toContain(`data-job-id="${job.body.id}" data-status="cancelled"`);
      expect(live.body.jobRows).toContain(`<span class="job-percent">${done.percent} %</span>`);
    } finally {
      await rx.close();
    }
  });

  it('a CSV or text upload starts a job (CSRF header required); errors to the page script are the error JSON', async () => {
    const t = await onboardTenant(h, { name: 'Upload Tea', permissionSets: [2], followers: 50 });
    const upload = (body: string, headers: Record<string, string>) =>
      request(h.url)
        .post(`/console/tenants/${t.id}/jobs?action=block`)
        .set('Cookie', cookie)
        .set('Accept', 'application/json')
        .set('Content-Type', 'text/csv')
        .set(headers)
        .send(body);
    const refused = await upload(t.followers.join('\n'), {}).expect(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    const started = await upload(`openid\n${t.followers.join('\n')}\n`, { 'X-CSRF-Token': csrf }).expect(202);
    const done = await until(async () => {
      const res = await page(`/console/tenants/${t.id}/jobs.json`).expect(200);
      const j = res.body.jobs.find((x: { id: string }) => x.id === started.body.id);
      return j?.done && j;
    }, 15_000);
    expect(done).toMatchObject({ status: 'succeeded', total: 50, processed: 50, percent: 100 });
    // The audit trail names the console and the operator key that acted.
    const audit = await request(h.url).get(`/v1/tenants/${t.id}/audit-events`).set(bearer(h.operatorKey)).expect(200);
    const line = audit.body.items.find((a: { jobId: string | null }) => a.jobId === started.body.id);
    expect(line.actorName).toMatch(/^console:/);
    const noAction = await request(h.url)
      .post(`/console/tenants/${t.id}/jobs`)
      .set('Cookie', cookie)
      .set('Accept', 'application/json')
      .set('Content-Type', 'text/csv')
      .set('X-CSRF-Token', csrf)
      .send(t.followers[0]);
    expect(noAction.status).toBe(400);
    expect(noAction.body.error.code).toBe('VALIDATION_FAILED');
  });
});
