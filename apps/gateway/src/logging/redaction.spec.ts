import { REDACTED, redactDeep, redactUrl } from './redaction';

describe('log redaction', () => {
  it('masks fields whose names mention tokens, secrets, tickets, passwords or codes, at any depth', () => {
    const out = redactDeep({
      authorizer_access_token: 'AT-1',
      nested: { componentAppSecret: 'S-1', list: [{ verifyTicket: 'T-1' }], password: 'p', authCode: 'c' },
      tenantId: 'keep-me',
    }) as Record<string, any>;
    expect(JSON.stringify(out)).not.toMatch(/AT-1|S-1|T-1|"p"|"c"/);
    expect(out.authorizer_access_token).toBe(REDACTED);
    expect(out.nested.list[0].verifyTicket).toBe(REDACTED);
    expect(out.tenantId).toBe('keep-me');
  });

  it('masks sensitive query parameters and the onboarding token in logged URLs', () => {
    expect(redactUrl('/wechat/authorization/callback?session=abc&auth_code=SECRET&expires_in=600')).toBe(
      `/wechat/authorization/callback?session=${REDACTED}&auth_code=${REDACTED}&expires_in=600`,
    );
    expect(redactUrl('/onboarding/very-secret-token')).toBe(`/onboarding/${REDACTED}`);
    expect(redactUrl('/wechat/component/events?timestamp=1&nonce=2&msg_signature=abc')).toBe(
      `/wechat/component/events?timestamp=1&nonce=2&msg_signature=${REDACTED}`,
    );
    expect(redactUrl('/v1/tenants?limit=5')).toBe('/v1/tenants?limit=5');
  });

  it('never throws on a malformed escape in a parameter name, and still masks what it can read', () => {
    expect(redactUrl('/health/live?%=1')).toBe('/health/live?%=1');
    expect(redactUrl('/x?%zz=1&%E0%A4%A=2')).toBe('/x?%zz=1&%E0%A4%A=2');
    expect(redactUrl('/x?auth_code%=SECRET')).toBe(`/x?auth_code%=${REDACTED}`);
    expect(redactUrl('/x?a%5fcode=SECRET')).toBe(`/x?a%5fcode=${REDACTED}`);
  });
});
