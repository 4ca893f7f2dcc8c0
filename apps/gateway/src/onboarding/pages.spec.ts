import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCALES } from './messages/catalogue';
import { authorizedPage, codeInvalidPage, escapeHtml, onboardingPage } from './pages';

describe('onboarding pages', () => {
  it('escape the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(escapeHtml(undefined)).toBe('');
  });

  it('put both links in double-quoted, escaped href attributes', () => {
    const page = onboardingPage({ pc: 'https://mp.example/p?a=1&b="2"', mobile: 'https://open.example/m?a=1#wechat_redirect' });
    expect(page.status).toBe(200);
    for (const locale of LOCALES) {
      const html = page.render(locale);
      expect(html).toContain('id="authorize-pc" class="button" href="https://mp.example/p?a=1&amp;b=&quot;2&quot;"');
      expect(html).toContain('id="authorize-mobile" class="button secondary" href="https://open.example/m?a=1#wechat_redirect"');
    }
  });

  it('speak Simplified Chinese or English, with <html lang> to match', () => {
    const page = onboardingPage({ pc: 'https://mp.example/p', mobile: 'https://open.example/m' });
    const zh = page.render('zh-CN');
    expect(zh).toContain('<html lang="zh-CN">');
    expect(zh).toContain('授权您的微信公众号');
    expect(zh).toContain('<strong>用户管理</strong>');
    const en = page.render('en');
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('Authorize your WeChat Official Account');
    expect(en).toContain('<strong>User management</strong>');
  });

  it('error pages keep the code in both languages; the JSON message stays English', () => {
    const page = codeInvalidPage();
    expect(page.status).toBe(400);
    expect(page.error).toEqual({ code: 'AUTHORIZATION_CODE_INVALID', message: expect.stringContaining('start again') });
    expect(page.render('zh-CN')).toContain('<code id="error-code">AUTHORIZATION_CODE_INVALID</code>');
    expect(page.render('zh-CN')).toContain('请重新授权');
    expect(page.render('en')).toContain('Please start again');
  });

  it('the success page escapes account fields and names the missing permission sets in each language', () => {
    const page = authorizedPage(
      { appId: 'wx1', nickName: '<b>Shop</b>', principalName: 'A & B' },
      { available: false, reason: 'permission_set_missing', missingPermissionSets: [2, 100] },
    );
    for (const locale of LOCALES) {
      const html = page.render(locale);
      expect(html).toContain('&lt;b&gt;Shop&lt;/b&gt;');
      expect(html).toContain('A &amp; B');
      expect(html).not.toContain('<b>Shop');
      expect(html).toContain('data-missing-permission-sets="2,100"');
    }
    expect(page.render('zh-CN')).toContain('2（用户管理） 或 100');
    expect(page.render('en')).toContain('2 (user management) or 100');
  });

  it('templates hold no words: every Latin or Chinese text node comes from a catalogue', () => {
    const source = readFileSync(join(__dirname, 'pages.ts'), 'utf8').replace(/<style>[\s\S]*?<\/style>/, '');
    // Text between tags in the templates is only ${…} interpolations (and spaces/punctuation).
    const templates = source.match(/`[^`]*`/g) ?? [];
    expect(templates.length).toBeGreaterThan(5);
    const textNodes = templates.flatMap((t) =>
      [...t.matchAll(/>([^<>]*)</g)].map((m) => m[1].replace(/\$\{[^}]*\}/g, '').trim()),
    );
    expect(textNodes.filter((t) => /[A-Za-z\u4e00-\u9fff]/.test(t))).toEqual([]);
  });
});
