import { authorizedPage, escapeHtml, onboardingPage } from './pages';

describe('onboarding pages', () => {
  it('escape the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(escapeHtml(undefined)).toBe('');
  });

  it('put both links in double-quoted, escaped href attributes', () => {
    const page = onboardingPage({ pc: 'https://mp.example/p?a=1&b="2"', mobile: 'https://open.example/m?a=1#wechat_redirect' });
    expect(page.status).toBe(200);
    expect(page.html).toContain('id="authorize-pc" class="button" href="https://mp.example/p?a=1&amp;b=&quot;2&quot;"');
    expect(page.html).toContain(
      'id="authorize-mobile" class="button secondary" href="https://open.example/m?a=1#wechat_redirect"',
    );
  });

  it('the success page escapes account fields and names the missing permission sets', () => {
    const page = authorizedPage(
      { appId: 'wx1', nickName: '<b>Shop</b>', principalName: 'A & B' },
      { available: false, reason: 'permission_set_missing', missingPermissionSets: [2, 100] },
    );
    expect(page.html).toContain('&lt;b&gt;Shop&lt;/b&gt;');
    expect(page.html).toContain('A &amp; B');
    expect(page.html).not.toContain('<b>Shop');
    expect(page.html).toContain('data-missing-permission-sets="2,100"');
  });
});
