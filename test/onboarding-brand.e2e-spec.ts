import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, type Harness } from './support/gateway-harness';
import { authorizeThroughPage, createTenant, fetchPage, settlePushes, startSession } from './support/onboarding';

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47';
const DESKTOP = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

const buttons = (html: string) =>
  [...html.matchAll(/<a id="(authorize-[a-z]+)" class="([^"]*)" href="[^"]*" data-primary="(true|false)"/g)].map((m) => ({
    id: m[1],
    primary: m[3] === 'true',
    secondary: m[2].includes('secondary'),
  }));

describe('merchant pages: the provider’s brand, the phone flow, a completed link', () => {
  let h: Harness;
  const dir = mkdtempSync(join(tmpdir(), 'wtg-brand-'));
  const logo = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  beforeAll(async () => {
    writeFileSync(join(dir, 'logo.png'), logo);
    h = await startHarness({ config: (c) => ({ ...c, brand: { name: '微商助手', logoFile: join(dir, 'logo.png') } }) });
    await h.sim.pushTicket();
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the onboarding page names the provider, with its logo served by the gateway', async () => {
    const t = await createTenant(h, 'Branded');
    const s = await startSession(h, t.id);
    const page = await fetchPage(s.onboardingUrl);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<h1 id="heading">授权 微商助手 管理您的公众号</h1>');
    expect(page.html).toContain('<span id="brand-name">微商助手</span>');
    const src = /<img id="brand-logo" src="([^"]+)"/.exec(page.html)?.[1];
    expect(src).toBe('/onboarding-assets/brand-logo.png');
    expect(page.headers.get('content-security-policy')).toContain("img-src 'self' https:");
    const img = await fetch(`${h.url}${src}`);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await img.arrayBuffer())).toEqual(logo);
    expect((await fetch(`${h.url}/onboarding-assets/brand-logo.svg`)).status).toBe(404);
    const en = await fetchPage(`${s.onboardingUrl}?lang=en`);
    expect(en.html).toContain('Authorize 微商助手 to manage your Official Account');
  });

  it('on a phone the mobile flow is the primary button; on a computer the PC flow', async () => {
    const t = await createTenant(h, 'Phone');
    const s = await startSession(h, t.id);
    const phone = await (await fetch(s.onboardingUrl, { headers: { 'User-Agent': IPHONE } })).text();
    expect(buttons(phone)).toEqual([
      { id: 'authorize-mobile', primary: true, secondary: false },
      { id: 'authorize-pc', primary: false, secondary: true },
    ]);
    const desktop = await (await fetch(s.onboardingUrl, { headers: { 'User-Agent': DESKTOP } })).text();
    expect(buttons(desktop)).toEqual([
      { id: 'authorize-pc', primary: true, secondary: false },
      { id: 'authorize-mobile', primary: false, secondary: true },
    ]);
  });

  it('reopening a completed session’s link shows 已完成授权 with the account (200, not 410)', async () => {
    const t = await createTenant(h, 'Completed');
    const s = await startSession(h, t.id);
    const cb = await authorizeThroughPage(h, s.onboardingUrl, {
      permissionSets: [1, 2, 15],
      push: 'before',
      nickName: '老王小店',
    });
    expect(cb.status).toBe(200);
    await settlePushes(h);
    const again = await fetchPage(s.onboardingUrl);
    expect(again.status).toBe(200);
    expect(again.html).toContain('已完成授权');
    expect(again.html).toContain('老王小店');
    expect(again.html).toContain(`<code id="account-appid">${cb.appId}</code>`);
    expect(again.html).toContain('<span id="brand-name">微商助手</span>');
    // A closed session that was never completed still answers 410.
    const closed = await startSession(h, t.id);
    await fetch(`${h.url}/v1/tenants/${t.id}/authorization-sessions/${closed.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${h.operatorKey}` },
    });
    expect((await fetchPage(closed.onboardingUrl)).status).toBe(410);
  });
});
