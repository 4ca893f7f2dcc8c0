import { startHarness, type Harness } from './support/gateway-harness';
import { authorizeThroughPage, createTenant, fetchPage, linkHref, startSession } from './support/onboarding';

describe('merchant pages: Simplified Chinese by default, English on request (simulator over HTTP)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.sim.pushTicket();
  });
  afterAll(() => h.close());

  it('the onboarding page speaks Chinese without a preference, and cannot be framed', async () => {
    const s = await startSession(h, (await createTenant(h)).id);
    const page = await fetchPage(s.onboardingUrl);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="zh-CN">');
    expect(page.html).toContain('授权您的微信公众号');
    expect(page.html).toContain('<strong>用户管理</strong>');
    expect(page.html).not.toContain('Authorize your');
    expect(page.headers.get('content-language')).toBe('zh-CN');
    expect(page.headers.get('vary')).toMatch(/Accept-Language/i);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });

  it('English when Accept-Language prefers it; ?lang= overrides the header either way', async () => {
    const s = await startSession(h, (await createTenant(h)).id);
    const en = await fetchPage(s.onboardingUrl, 'en-GB,en;q=0.9,zh-CN;q=0.5');
    expect(en.html).toContain('<html lang="en">');
    expect(en.html).toContain('Authorize your WeChat Official Account');
    expect(en.html).toContain('<strong>User management</strong>');
    const zh = await fetchPage(`${s.onboardingUrl}?lang=zh-CN`, 'en');
    expect(zh.html).toContain('<html lang="zh-CN">');
    const forcedEn = await fetchPage(`${s.onboardingUrl}?lang=en`, 'zh-CN');
    expect(forcedEn.html).toContain('<html lang="en">');
    // The chosen language comes back with the merchant from WeChat.
    const redirectUri = new URL(linkHref(forcedEn.html, 'authorize-pc')).searchParams.get('redirect_uri')!;
    expect(new URL(redirectUri).searchParams.get('lang')).toBe('en');
    // An unknown ?lang= is ignored, never an error.
    const odd = await fetchPage(`${s.onboardingUrl}?lang=xx`, 'en');
    expect(odd.status).toBe(200);
    expect(odd.html).toContain('<html lang="en">');
  });

  it('the callback result page in both languages, same ids and data attributes', async () => {
    const zh = await authorizeThroughPage(h, (await startSession(h, (await createTenant(h)).id)).onboardingUrl, {
      nickName: '早鸟茶铺',
      permissionSets: [1, 15],
      acceptLanguage: 'zh-CN,zh;q=0.9',
    });
    expect(zh.status).toBe(200);
    expect(zh.html).toContain('<html lang="zh-CN">');
    expect(zh.html).toContain('id="authorized"');
    expect(zh.html).toContain('授权成功');
    expect(zh.html).toContain('data-missing-permission-sets="2,100"');
    expect(zh.html).toContain('2（用户管理）');

    const en = await authorizeThroughPage(h, (await startSession(h, (await createTenant(h)).id)).onboardingUrl, {
      permissionSets: [2],
      acceptLanguage: 'en-US',
    });
    expect(en.html).toContain('<html lang="en">');
    expect(en.html).toContain('Blacklist management is available');
  });

  it('error pages speak the merchant’s language and keep the stable code; JSON clients get English', async () => {
    const unknown = `${h.url}/onboarding/${'x'.repeat(43)}`;
    const zh = await fetchPage(unknown);
    expect(zh.status).toBe(404);
    expect(zh.html).toContain('<html lang="zh-CN">');
    expect(zh.html).toContain('链接无效');
    expect(zh.html).toContain('<code id="error-code">AUTHORIZATION_SESSION_NOT_FOUND</code>');
    const en = await fetchPage(`${unknown}?lang=en`);
    expect(en.html).toContain('Link not valid');
    const json = await fetch(unknown, { headers: { Accept: 'application/json', 'Accept-Language': 'zh-CN' } });
    const body = (await json.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('AUTHORIZATION_SESSION_NOT_FOUND');
    expect(body.error.message).toMatch(/not valid/);
  });
});
