import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { BATCH_BLOCK } from './support/blacklist-helpers';
import { bearer, createTenant, onboardTenant } from './support/onboarding';

/** A browser-less operator: keeps the console cookie and reads the CSRF token from the page's forms. */
async function signIn(h: Harness, key = h.operatorKey) {
  const res = await request(h.url).post('/console/login').type('form').send({ key });
  const cookie = res.headers['set-cookie']?.[0]?.split(';')[0];
  return { res, cookie: cookie! };
}
const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1];

describe('operator console (simulator over HTTP)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.sim.pushTicket();
  });
  afterAll(() => h.close());

  it('without a session every page sends the browser to sign in; a wrong key is refused', async () => {
    for (const path of ['/console', '/console/tenants', '/console/tenants/00000000-0000-4000-8000-000000000000']) {
      const res = await request(h.url).get(path).expect(303);
      expect(res.headers.location).toBe('/console/login');
    }
    expect((await request(h.url).get('/console/tenants/x/jobs.json').expect(401)).body.error.code).toBe('UNAUTHENTICATED');
    const login = await request(h.url).get('/console/login').expect(200);
    expect(login.headers['x-frame-options']).toBe('DENY');
    const csp = login.headers['content-security-policy'];
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/unsafe-inline/);
    const wrong = await signIn(h, 'op_not-a-key-of-this-gateway-at-all');
    expect(wrong.res.status).toBe(401);
    expect(wrong.res.headers['set-cookie']).toBeUndefined();
    expect(wrong.res.text).toContain('id="login-error"');
  });

  it('the key once → an httpOnly, SameSite=Strict 8 h cookie; status, tenants, detail; sign out ends it', async () => {
    const { res, cookie } = await signIn(h);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/console');
    const setCookie = res.headers['set-cookie'][0];
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Max-Age=28800/);
    expect(setCookie).toMatch(/Path=\/console/);
    expect(cookie).not.toContain(h.operatorKey);

    const status = await request(h.url).get('/console').set('Cookie', cookie).expect(200);
    expect(status.text).toContain('id="component-status"');
    expect(status.text).toContain(h.config.wechat.componentAppId);
    expect(status.text).not.toContain(h.operatorKey);

    const t = await onboardTenant(h, { name: 'Console Tea House', permissionSets: [2] });
    const other = await createTenant(h, 'Pending Bakery');
    const list = await request(h.url)
      .get('/console/tenants')
      .query({ q: 'console tea', status: 'active' })
      .set('Cookie', cookie)
      .expect(200);
    expect(list.text).toContain(`data-tenant-id="${t.id}" data-status="active"`);
    expect(list.text).toContain('data-permission-sets="2"');
    expect(list.text).not.toContain(other.id);
    const pending = await request(h.url).get('/console/tenants').query({ status: 'pending' }).set('Cookie', cookie).expect(200);
    expect(pending.text).toContain(other.id);
    expect(pending.text).not.toContain(`data-tenant-id="${t.id}"`);

    const detail = await request(h.url).get(`/console/tenants/${t.id}`).set('Cookie', cookie).expect(200);
    expect(detail.text).toContain('id="tenant-status" data-status="active"');
    expect(detail.text).toContain(t.appId);
    expect(detail.text).toContain('id="tenant-web-oauth-origins">—（拒绝网页授权）<');
    const detailEn = await request(h.url).get(`/console/tenants/${t.id}?lang=en`).set('Cookie', cookie).expect(200);
    expect(detailEn.text).toContain('id="tenant-web-oauth-origins">— (web authorization refused)<');
    await request(h.url)
      .patch(`/v1/tenants/${t.id}`)
      .set('Authorization', `Bearer ${h.operatorKey}`)
      .send({ webOAuthOrigins: ['https://h5.console.example'] })
      .expect(200);
    const withOrigins = await request(h.url).get(`/console/tenants/${t.id}`).set('Cookie', cookie).expect(200);
    expect(withOrigins.text).toContain('id="tenant-web-oauth-origins">https://h5.console.example<');

    const csrf = csrfOf(status.text)!;
    const out = await request(h.url).post('/console/logout').set('Cookie', cookie).type('form').send({ csrf }).expect(303);
    expect(out.headers['set-cookie'][0]).toMatch(/wtg_console=;/);
    // A stateless session: the browser dropped the cookie; a forged or tampered one is refused.
    const tampered = cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await request(h.url).get('/console').set('Cookie', tampered).expect(303)).headers.location).toBe('/console/login');
  });

  it('POSTs need the CSRF token and the same origin; actions: a new onboarding link, cancel a job', async () => {
    const { cookie } = await signIn(h);
    const t = await onboardTenant(h, { permissionSets: [2], followers: 200 });
    const page = await request(h.url).get(`/console/tenants/${t.id}`).set('Cookie', cookie).expect(200);
    const csrf = csrfOf(page.text)!;
    await request(h.url)
      .post(`/console/tenants/${t.id}/onboarding-links`)
      .set('Cookie', cookie)
      .type('form')
      .send({})
      .expect(403);
    await request(h.url)
      .post(`/console/tenants/${t.id}/onboarding-links`)
      .set('Cookie', cookie)
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ csrf })
      .expect(403);
    const made = await request(h.url)
      .post(`/console/tenants/${t.id}/onboarding-links`)
      .set('Cookie', cookie)
      .type('form')
      .send({ csrf })
      .expect(200);
    expect(made.text).toMatch(/id="onboarding-link" href="http[^"]+\/onboarding\//);

    // Slow WeChat calls, so the job is still open when it is cancelled.
    h.sim.addFault({ api: BATCH_BLOCK, type: 'delay', delayMs: 300, appId: t.appId });
    const job = await request(h.url)
      .post(`/v1/tenants/${t.id}/blacklist/jobs`)
      .set(bearer(h.operatorKey))
      .send({ action: 'block', openids: t.followers })
      .expect(202);
    const json = await request(h.url).get(`/console/tenants/${t.id}/jobs.json`).set('Cookie', cookie).expect(200);
    expect(json.body.jobs[0]).toMatchObject({ id: job.body.id, total: 200, done: false });
    const cancel = await request(h.url)
      .post(`/console/tenants/${t.id}/jobs/${job.body.id}/cancel`)
      .set('Cookie', cookie)
      .type('form')
      .send({ csrf });
    expect(cancel.status).toBe(303);
    const after = await request(h.url)
      .get(`/v1/tenants/${t.id}/blacklist/jobs/${job.body.id}`)
      .set(bearer(h.operatorKey))
      .expect(200);
    expect(after.body.status).toBe('cancelled');
    // A job id that is no UUID names no job: the same page as for an unknown job, not a 500.
    const unknown = await request(h.url)
      .post(`/console/tenants/${t.id}/jobs/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/cancel`)
      .set('Cookie', cookie)
      .type('form')
      .send({ csrf });
    const garbage = await request(h.url)
      .post(`/console/tenants/${t.id}/jobs/nope/cancel`)
      .set('Cookie', cookie)
      .type('form')
      .send({ csrf });
    expect(unknown.text).toContain('JOB_NOT_FOUND');
    expect([garbage.status, garbage.text.includes('JOB_NOT_FOUND')]).toEqual([unknown.status, true]);
  });
});
