/// <reference lib="dom" />
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';
import { BATCH_BLOCK } from '../support/blacklist-helpers';
import { startHarness, type Harness } from '../support/gateway-harness';
import { bearer, onboardTenant } from '../support/onboarding';

/** Debian's Chromium (installed by .ci/run when missing), never a downloaded browser build. */
const CHROMIUM = '/usr/bin/chromium';
/** Screenshots of every console page (git-ignored; docs/ keeps a copy of the final ones). */
const ARTIFACTS = join(__dirname, '..', 'artifacts');
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

describe('browser: every console page in Chinese at desktop and phone width; a live tenant page', () => {
  let h: Harness;
  let context: BrowserContext;
  let userDataDir: string;
  let tenant: Awaited<ReturnType<typeof onboardTenant>>;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await startHarness();
    await h.sim.pushTicket();
    tenant = await onboardTenant(h, {
      name: '早鸟茶铺 Early Bird Tea House (Hangzhou West Lake flagship)',
      permissionSets: [2],
      followers: 600,
    });
    userDataDir = mkdtempSync(join(tmpdir(), 'wtg-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      locale: 'zh-CN',
      viewport: SIZES.desktop,
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

  /** Both sizes of the page now shown; on a phone nothing may be wider than the screen (no zooming out). */
  async function shoot(page: Page, name: string): Promise<void> {
    for (const [size, viewport] of Object.entries(SIZES)) {
      await page.setViewportSize(viewport);
      // Let the chart follow the new width (Chart.js resizes on a ResizeObserver callback).
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      if (size === 'phone') {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect({ page: name, overflow }).toEqual({ page: name, overflow: 0 });
      }
      await page.screenshot({ path: join(ARTIFACTS, `console-${name}-${size}.png`), fullPage: true });
    }
    await page.setViewportSize(SIZES.desktop);
  }

  it('sign-in, overview, tenants, tenant with a job appearing and moving live, cancel after confirming, an error page', async () => {
    const page = await context.newPage();
    await page.goto(`${h.url}/console`);
    await page.waitForURL((url) => url.pathname === '/console/login');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await shoot(page, 'sign-in');
    await page.fill('#operator-key', h.operatorKey);
    await page.click('#sign-in');
    await page.waitForSelector('#tenants-by-status');
    expect(await page.textContent('#sign-out')).toBe('退出登录');
    // The call chart is drawn by Chart.js from the gateway itself, under the page's CSP (no CDN).
    const drawn = await page.waitForFunction(() => {
      const chart = (window as unknown as { Chart?: { getChart(c: Element): { data: { datasets: unknown[] } } | undefined } })
        .Chart;
      const canvas = document.getElementById('calls-chart');
      return chart && canvas ? (chart.getChart(canvas)?.data.datasets.length ?? 0) : 0;
    });
    expect(await drawn.jsonValue()).toBeGreaterThan(0);
    await shoot(page, 'overview');

    await page.goto(`${h.url}/console/tenants`);
    expect(await page.locator(`tr[data-tenant-id="${tenant.id}"] .status`).textContent()).toBe('已授权');
    await shoot(page, 'tenants');

    // An open onboarding link, listed on the tenant page with a Close button (closed further down).
    const link = await request(h.url)
      .post(`/v1/tenants/${tenant.id}/authorization-sessions`)
      .set(bearer(h.operatorKey))
      .send({})
      .expect(201);
    await page.goto(`${h.url}/console/tenants/${tenant.id}`);
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    // A job started through the API after the page loaded appears and moves without a reload.
    h.sim.addFault({ api: BATCH_BLOCK, type: 'delay', delayMs: 300, appId: tenant.appId });
    const job = await request(h.url)
      .post(`/v1/tenants/${tenant.id}/blacklist/jobs`)
      .set(bearer(h.operatorKey))
      .send({ action: 'block', openids: tenant.followers })
      .expect(202);
    const row = page.locator(`tr[data-job-id="${job.body.id}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await shoot(page, 'tenant-job-running');

    // Cancel asks first: dismissing keeps the job, accepting cancels it.
    page.once('dialog', (d) => void d.dismiss());
    await row.locator('.cancel-job').click();
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    page.once('dialog', (d) => void d.accept());
    await Promise.all([page.waitForNavigation(), page.locator(`tr[data-job-id="${job.body.id}"] .cancel-job`).click()]);
    await page.waitForFunction(
      (id) => document.querySelector(`tr[data-job-id="${id}"]`)?.getAttribute('data-status') === 'cancelled',
      job.body.id,
      { timeout: 15_000 },
    );
    const percent = await page.locator(`tr[data-job-id="${job.body.id}"] .job-percent`).textContent();
    expect(percent).not.toBe('100 %'); // the share it handled, not the share it finished with
    // The audit list shows the cancelled job's line without a reload.
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    await page.waitForFunction((id) => document.querySelector('#audit')?.textContent?.includes(id), job.body.id, {
      timeout: 15_000,
    });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    // A text file of openids starts a job, which appears without a reload.
    h.sim.clearFaults();
    const file = join(userDataDir, 'openids.txt');
    writeFileSync(file, `openid\n${tenant.followers.slice(0, 100).join('\n')}\n`);
    await page.setInputFiles('#upload-file', file);
    await page.selectOption('#upload-action', 'unblock');
    await page.click('#upload-submit');
    await page.waitForSelector('#upload-result.ok', { timeout: 15_000 });
    const uploaded = (await page.getAttribute('#upload-result', 'data-job-id'))!;
    await page.locator(`tr[data-job-id="${uploaded}"]`).waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await shoot(page, 'tenant');

    // Close asks first too: dismissing keeps the link open, accepting closes it; its link then answers 410.
    const session = page.locator(`tr[data-session-id="${link.body.id}"]`);
    page.once('dialog', (d) => void d.dismiss());
    await session.locator('.close-session').click();
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    page.once('dialog', (d) => void d.accept());
    await Promise.all([page.waitForNavigation(), session.locator('.close-session').click()]);
    expect(await page.locator(`tr[data-session-id="${link.body.id}"]`).count()).toBe(0);
    expect(await page.textContent('#sessions')).toContain('没有未完成的授权链接');
    await request(h.url).get(new URL(link.body.onboardingUrl).pathname).expect(410);

    await page.goto(`${h.url}/console/tenants/00000000-0000-4000-8000-000000000000`);
    expect(await page.getAttribute('#console-error', 'data-code')).toBe('TENANT_NOT_FOUND');
    await shoot(page, 'error');
    await page.close();
  });
});
