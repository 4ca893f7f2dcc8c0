import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startHarness, type Harness } from '../support/gateway-harness';
import { createTenant, onboardTenant, type OnboardedTenant } from '../support/onboarding';
import { allowOrigins } from '../support/web-oauth';

/** Debian's Chromium (installed by .ci/run when missing), never a downloaded browser build. */
const CHROMIUM = '/usr/bin/chromium';

/**
 * A follower's browser through the hosted web authorization: the gateway's authorize link, the
 * simulator's WeChat page (pick a follower, allow or refuse), the callback, and the sandbox's demo
 * page standing in for the merchant's H5 page, which redeems the ticket as the provider's server would.
 */
describe('browser: web authorization on behalf of the Official Account (headless Chromium)', () => {
  let h: Harness;
  let context: BrowserContext;
  let userDataDir: string;
  let t: OnboardedTenant;

  const demoPage = (tenantId: string) => `${h.url}/sandbox/web-oauth-demo/${tenantId}`;
  const authorize = (tenantId: string, q: Record<string, string>) =>
    `${h.url}/web-oauth/${tenantId}/authorize?${new URLSearchParams({ returnUrl: demoPage(tenantId), ...q })}`;

  beforeAll(async () => {
    h = await startHarness({ sim: { webOAuthDomains: ['127.0.0.1'] } });
    t = await onboardTenant(h, { permissionSets: [2, 4], followers: ['o_browser_1', 'o_browser_2'] });
    userDataDir = mkdtempSync(join(tmpdir(), 'wtg-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 390, height: 844 }, // a phone, as inside WeChat
      locale: 'zh-CN',
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

  async function throughWeChat(page: Page, url: string, openid: string, button: '#sim-oauth-allow' | '#sim-oauth-refuse') {
    await page.goto(url);
    await page.waitForURL((u) => u.pathname === '/connect/oauth2/authorize');
    await page.check(`input[name="openid"][value="${openid}"]`);
    await page.click(button);
    await page.waitForURL((u) => u.pathname.startsWith('/sandbox/web-oauth-demo/'));
  }

  it('snsapi_base: the follower allows; the H5 page redeems the ticket for their openid', async () => {
    const page = await context.newPage();
    await throughWeChat(page, authorize(t.id, { scope: 'snsapi_base', state: 'b1' }), 'o_browser_2', '#sim-oauth-allow');
    await page.waitForSelector('#web-oauth-demo-result');
    expect(await page.textContent('#openid')).toBe('o_browser_2');
    expect(await page.textContent('#scope')).toBe('snsapi_base');
    expect(await page.$('#nickname')).toBeNull();
    const landed = new URL(page.url());
    expect(landed.searchParams.get('state')).toBe('b1');
    expect(landed.searchParams.get('wtg_ticket')).toMatch(/^wor_/);
    // The ticket was spent by the page: reloading it is refused.
    const reload = await page.reload();
    expect(reload?.status()).toBe(410);
    expect(await page.getAttribute('#web-oauth-error', 'data-code')).toBe('WEB_OAUTH_TICKET_INVALID');
    await page.close();
  });

  it('snsapi_userinfo: the profile comes with the openid', async () => {
    const page = await context.newPage();
    await throughWeChat(page, authorize(t.id, { scope: 'snsapi_userinfo' }), 'o_browser_1', '#sim-oauth-allow');
    await page.waitForSelector('#web-oauth-demo-result');
    expect(await page.textContent('#openid')).toBe('o_browser_1');
    expect(await page.textContent('#scope')).toBe('snsapi_userinfo');
    expect((await page.textContent('#nickname'))?.length).toBeGreaterThan(0);
    await page.close();
  });

  it('the follower refuses: the page hears error=access_denied and the state', async () => {
    const page = await context.newPage();
    await throughWeChat(page, authorize(t.id, { scope: 'snsapi_userinfo', state: 'r1' }), 'o_browser_1', '#sim-oauth-refuse');
    await page.waitForSelector('#web-oauth-demo-refused');
    const landed = new URL(page.url());
    expect(landed.searchParams.get('error')).toBe('access_denied');
    expect(landed.searchParams.get('state')).toBe('r1');
    await page.close();
  });

  it('every refusal is a page in Chinese with its status and code', async () => {
    const pending = await createTenant(h, 'Pending');
    const noWeb = await onboardTenant(h, { permissionSets: [2], followers: ['o_nw'] });
    await allowOrigins(h, t.id);
    const cases: Array<[string, number, string]> = [
      [authorize('00000000-0000-4000-8000-000000000000', { scope: 'snsapi_base' }), 404, 'TENANT_NOT_FOUND'],
      [authorize(pending.id, { scope: 'snsapi_base' }), 409, 'TENANT_NOT_ACTIVE'],
      [authorize(noWeb.id, { scope: 'snsapi_base' }), 403, 'PERMISSION_SET_MISSING'],
      [authorize(t.id, { scope: 'snsapi_other' }), 400, 'VALIDATION_FAILED'],
      [authorize(t.id, { scope: 'snsapi_base', state: 's'.repeat(129) }), 400, 'VALIDATION_FAILED'],
      [authorize(t.id, { scope: 'snsapi_base', returnUrl: 'https://evil.example/' }), 400, 'RETURN_URL_NOT_ALLOWED'],
      [authorize(t.id, { scope: 'snsapi_base', returnUrl: 'javascript:alert(1)' }), 400, 'VALIDATION_FAILED'],
      [
        `${h.url}/web-oauth/callback?code=x&state=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&appid=${t.appId}`,
        400,
        'WEB_OAUTH_STATE_INVALID',
      ],
    ];
    const page = await context.newPage();
    for (const [url, status, code] of cases) {
      const res = await page.goto(url);
      expect({ url, status: res?.status() }).toEqual({ url, status });
      expect(await page.getAttribute('#web-oauth-error', 'data-code')).toBe(code);
      expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    }

    // Opening WeChat's redirect (the callback) again once the flow finished: the state is spent.
    const callbacks: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/web-oauth/callback') callbacks.push(r.url());
    });
    await throughWeChat(page, authorize(t.id, { scope: 'snsapi_base' }), 'o_browser_1', '#sim-oauth-allow');
    expect(callbacks).toHaveLength(1);
    const replay = await page.goto(callbacks[0]);
    expect(replay?.status()).toBe(400);
    expect(await page.getAttribute('#web-oauth-error', 'data-code')).toBe('WEB_OAUTH_STATE_INVALID');
    await page.close();
  });
});
