import { ValidationError } from '@app/common';
import { parseReturnUrl } from './return-url';

describe('parseReturnUrl', () => {
  const open = { httpsOnly: false };

  it('returns the URL as WHATWG normalises it', () => {
    expect(parseReturnUrl('https://Shop.Example.com/done?x=1', open)).toBe('https://shop.example.com/done?x=1');
  });

  it('refuses what only one parser would accept, or reads differently', () => {
    for (const bad of [
      'http://a.0x7f',
      'https://evil.example\\@good.example',
      'https://user:pw@good.example/',
      'javascript:alert(1)',
      'ftp://x.example/',
      '/relative',
      'https://',
      ' https://shop.example.com/',
      'https://shop.example.com/ ',
    ]) {
      expect(() => parseReturnUrl(bad, open)).toThrow(ValidationError);
    }
  });

  it('https only in production; an origin allowlist when configured', () => {
    expect(() => parseReturnUrl('http://shop.example.com/', { httpsOnly: true })).toThrow(ValidationError);
    const rules = { httpsOnly: true, allowedOrigins: ['https://shop.example.com'] };
    expect(parseReturnUrl('https://shop.example.com/a', rules)).toBe('https://shop.example.com/a');
    expect(() => parseReturnUrl('https://shop.example.com.evil.example/a', rules)).toThrow(ValidationError);
    expect(() => parseReturnUrl('https://shop.example.com:8443/a', rules)).toThrow(ValidationError);
  });
});
