import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { startHarness, type Harness } from '../support/gateway-harness';
import { createTenant, settlePushes, startSession, tenantView } from '../support/onboarding';

/** Debian's Chromium (installed by .ci/run when missing), never a downloaded browser build. */
const CHROMIUM = '/usr/bin/chromium';

describe('browser: a merchant completes onboarding by clicking through (headless Chromium)', () => {
  let h: Harness;
  let context: BrowserContext;
  let userDataDir: string;

  beforeAll(async () => {
    h = await startHarness();
    await h.sim.pushTicket();
    userDataDir = mkdtempSync(join(tmpdir(), 'wtg-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
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

  it('onboarding page → #authorize-pc → simulator page → #sim-authorize → success page; tenant active', async () => {
    const tenant = await createTenant(h, 'Browser merchant');
    const session = await startSession(h, tenant.id);
    const page = await context.newPage();

    await page.goto(session.onboardingUrl);
    await page.click('#authorize-pc');
    await page.waitForURL((url) => url.pathname === '/cgi-bin/componentloginpage');
    // A new test Official Account, verified, granting user management (set 2).
    await page.check('input[name="account"][value="__new__"]');
    await page.fill('input[name="nick_name"]', 'Clicked Through Café');
    await page.check('input[name="perm"][value="2"]');
    await page.click('#sim-authorize');

    await page.waitForURL((url) => url.pathname === '/wechat/authorization/callback');
    await page.waitForSelector('#authorized');
    expect(await page.textContent('#account-name')).toBe('Clicked Through Café');
    expect(await page.getAttribute('#blacklist-status', 'data-available')).toBe('true');
    await page.close();

    await settlePushes(h);
    const view = await tenantView(h, tenant.id);
    expect(view.status).toBe('active');
    expect(view.authorizer.nickName).toBe('Clicked Through Café');
    expect(view.capabilities).toEqual({ blacklist: true });
    expect(h.sim.calls({ api: 'component/api_query_auth', appId: view.authorizer.appId })).toHaveLength(1);
  });
});
