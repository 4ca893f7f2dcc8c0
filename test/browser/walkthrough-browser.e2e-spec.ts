/// <reference lib="dom" />
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';
import { BATCH_BLOCK } from '../support/blacklist-helpers';
import { startHarness, type Harness } from '../support/gateway-harness';
import { bearer, createTenant, settlePushes, startSession, tenantView } from '../support/onboarding';

/** Debian's Chromium (installed by .ci/run when missing), never a downloaded browser build. */
const CHROMIUM = '/usr/bin/chromium';
/** Screenshots of every step, for a reviewer to look at (git-ignored). */
const ARTIFACTS = join(__dirname, '..', 'artifacts');

describe('browser walk-through: onboarding in Chinese and English, the simulator page, the operator console', () => {
  let h: Harness;
  let context: BrowserContext;
  let userDataDir: string;
  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await startHarness();
    await h.sim.pushTicket();
    userDataDir = mkdtempSync(join(tmpdir(), 'wtg-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      locale: 'zh-CN',
      viewport: { width: 1000, height: 700 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await h?.close();
  });

  it('merchant: Chinese and English onboarding page, simulator page with followers, callback page in both languages', async () => {
    const tenant = await createTenant(h, 'Sandbox demo');
    const session = await startSession(h, tenant.id);

    const en = await context.newPage();
    await en.goto(`${session.onboardingUrl}?lang=en`); // (Accept-Language itself: test/onboarding-language.e2e-spec.ts)
    expect(await en.getAttribute('html', 'lang')).toBe('en');
    expect(await en.textContent('#authorize-pc')).toBe('Authorize on a computer');
    await shot(en, '02-onboarding-en');
    await en.close();

    const page = await context.newPage(); // the browser's own language: zh-CN
    await page.goto(session.onboardingUrl);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.textContent('#authorize-pc')).toBe('在电脑上授权');
    expect(await page.textContent('strong')).toBe('用户管理');
    await shot(page, '01-onboarding-zh');

    await page.click('#authorize-pc');
    await page.waitForURL((url) => url.pathname === '/cgi-bin/componentloginpage');
    await page.check('input[name="account"][value="__new__"]');
    await page.fill('input[name="nick_name"]', '早鸟茶铺');
    expect(await page.inputValue('input[name="follower_count"]')).toBe('100');
    await page.fill('input[name="follower_count"]', '5000');
    await page.check('input[name="perm"][value="2"]');
    await shot(page, '03-simulator-followers');
    await page.click('#sim-authorize');

    await page.waitForURL((url) => url.pathname === '/wechat/authorization/callback');
    await page.waitForSelector('#authorized');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.textContent('#authorized')).toBe('授权成功');
    expect(await page.getAttribute('#blacklist-status', 'data-available')).toBe('true');
    await shot(page, '04-callback-zh');
    // The same result page in English (a reload answers from the recorded outcome).
    await page.goto(`${page.url()}&lang=en`);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('#authorized')).toBe('Authorization complete');
    await shot(page, '05-callback-en');
    await page.close();

    await settlePushes(h);
    const view = await tenantView(h, tenant.id);
    expect(view.status).toBe('active');
    expect(view.authorizer.permissionSets).toContain(2);
    expect(h.sim.getAuthorizer(view.authorizer.appId).followerCount).toBe(5000);
  });

  it('operator: sign in, the demo tenant active with set 2, a 5,000-openid job reaching 100 % without a reload, sign out', async () => {
    const page = await context.newPage();
    await page.goto(`${h.url}/console`);
    await page.waitForURL((url) => url.pathname === '/console/login');
    await page.fill('#operator-key', h.operatorKey);
    await shot(page, '06-console-sign-in');
    await page.click('#sign-in');
    await page.waitForSelector('#component-status, #login-error, #console-error', { timeout: 10_000 });
    if (!(await page.$('#component-status'))) throw new Error(`after sign-in: ${page.url()} ${await page.textContent('body')}`);
    await shot(page, '07-console-component');

    await page.goto(`${h.url}/console/tenants?q=sandbox+demo`);
    const row = page.locator('tr[data-status="active"]', { hasText: 'Sandbox demo' });
    expect(await row.count()).toBe(1);
    expect((await row.locator('.sets').getAttribute('data-permission-sets'))!.split(',')).toContain('2');
    await shot(page, '08-console-tenants');

    const tenantId = (await row.getAttribute('data-tenant-id'))!;
    const view = await tenantView(h, tenantId);
    const openids = h.sim.getAuthorizer(view.authorizer.appId).followers!;
    expect(openids).toHaveLength(5000);
    // WeChat a little slow, so the bar is seen moving.
    h.sim.addFault({ api: BATCH_BLOCK, type: 'delay', delayMs: 15, appId: view.authorizer.appId });
    const job = await request(h.url)
      .post(`/v1/tenants/${tenantId}/blacklist/jobs`)
      .set(bearer(h.operatorKey))
      .send({ action: 'block', openids })
      .expect(202);

    await page.goto(`${h.url}/console/tenants/${tenantId}`);
    const jobRow = page.locator(`tr[data-job-id="${job.body.id}"]`);
    await jobRow.waitFor();
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    const atLoad = await jobRow.locator('.job-percent').textContent();
    await shot(page, '09-console-job-running');
    await page.waitForFunction(
      (id) => {
        const row = document.querySelector(`tr[data-job-id="${id}"]`);
        return row?.querySelector('.job-percent')?.textContent === '100 %' && row.getAttribute('data-status') === 'succeeded';
      },
      job.body.id,
      { timeout: 60_000 },
    );
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await jobRow.getAttribute('data-status')).toBe('succeeded');
    // The bar moved in place: it was short of 100 % when the page loaded (WeChat is slowed down above).
    expect(atLoad).not.toBe('100 %');
    expect(await jobRow.locator('.cancel-job').count()).toBe(0); // a finished job offers no Cancel
    expect(await jobRow.locator('progress').evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([5000, 5000]);
    await shot(page, '10-console-job-done');

    await page.click('#sign-out');
    await page.waitForURL((url) => url.pathname === '/console/login');
    await page.goto(`${h.url}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
    await shot(page, '11-console-signed-out');
    await page.close();
  });
});
