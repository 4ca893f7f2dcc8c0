import { appendQuery, NONCE_SHAPE, newNonce, parseCallerState, parseReturnUrl } from './web-oauth-input';

describe('web-oauth inputs', () => {
  it('appendQuery keeps the query and the fragment as they were', () => {
    expect(appendQuery('https://h5.example/m', { wtg_ticket: 'wor_x' })).toBe('https://h5.example/m?wtg_ticket=wor_x');
    expect(appendQuery('https://h5.example/m?a=%20b#/route?x', { wtg_ticket: 'wor_x', state: 'a&b' })).toBe(
      'https://h5.example/m?a=%20b&wtg_ticket=wor_x&state=a%26b#/route?x',
    );
  });

  it('nonces are 32 letters and digits, and differ', () => {
    const a = newNonce();
    expect(a).toMatch(NONCE_SHAPE);
    expect(newNonce()).not.toBe(a);
  });

  it('the caller’s state: up to 128 bytes of UTF-8', () => {
    expect(parseCallerState(undefined)).toBeNull();
    expect(parseCallerState('x'.repeat(128))).toHaveLength(128);
    expect(() => parseCallerState('x'.repeat(129))).toThrow();
    expect(() => parseCallerState('状'.repeat(43))).toThrow();
  });

  it('returnUrl: http(s) (https only in production), no credentials or backslashes, an allowed origin', () => {
    const rules = { httpsOnly: false, allowed: (u: URL) => u.origin === 'https://h5.example' };
    expect(parseReturnUrl('https://H5.example/m?x=1', rules)).toBe('https://h5.example/m?x=1');
    for (const bad of [
      'http://h5.example/m',
      'https://evil.example/',
      'javascript:alert(1)',
      'https://u:p@h5.example/',
      'https://h5.example\\@evil/',
      '/m',
      42,
    ]) {
      expect(() => parseReturnUrl(bad, rules)).toThrow();
    }
    let refusal: unknown;
    try {
      parseReturnUrl('http://h5.example/', { httpsOnly: true, allowed: () => true });
    } catch (e) {
      refusal = e;
    }
    expect(JSON.stringify((refusal as { details?: unknown }).details)).toContain('https URL');
  });

  it('returnUrl may not carry the parameters the gateway appends (a planted wtg_ticket would be read first)', () => {
    const rules = { httpsOnly: false, allowed: () => true };
    for (const bad of [
      'https://h5.example/m?wtg_ticket=wor_planted',
      'https://h5.example/m?x=1&state=planted',
      'https://h5.example/m?error=access_denied',
      'https://h5.example/m?WTG_TICKET=x',
      'https://h5.example/m?wtg%5Fticket=x',
    ]) {
      expect(() => parseReturnUrl(bad, rules)).toThrow('The request is invalid.');
    }
    // In the fragment it is the page's own business, and other names are kept.
    expect(parseReturnUrl('https://h5.example/m?stateful=1#state=x', rules)).toBe('https://h5.example/m?stateful=1#state=x');
  });
});
