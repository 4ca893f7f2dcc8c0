import { PassThrough } from 'node:stream';
import { REDACTED, redactDeep, redactUrl } from './redaction';

describe('log redaction (exact names, not substrings)', () => {
  it('masks the fields that carry secrets, at any depth, in any spelling', () => {
    const out = redactDeep({
      authorizer_access_token: 'AT-1',
      nested: {
        componentAppSecret: 'S-1',
        list: [{ ComponentVerifyTicket: 'T-1' }],
        password: 'p',
        authCode: 'c',
        Encrypt: 'E-1',
        msg_signature: 'SIG-1',
      },
      headers: { authorization: 'Bearer op_x', cookie: 'console=abc' },
      authorizer_refresh_token: 'RT-1',
      pre_auth_code: 'PAC-1',
      EncodingAESKey: 'AES-1',
    }) as Record<string, any>;
    expect(JSON.stringify(out)).not.toMatch(/AT-1|S-1|T-1|"p"|"c"|E-1|SIG-1|op_x|console=abc|RT-1|PAC-1|AES-1/);
    expect(out.authorizer_access_token).toBe(REDACTED);
    expect(out.nested.list[0].ComponentVerifyTicket).toBe(REDACTED);
    expect(out.headers.authorization).toBe(REDACTED);
  });

  it('keeps harmless fields whose names merely contain a sensitive word', () => {
    const fields = {
      res: { statusCode: 404 },
      errcode: 40001,
      errmsg: 'invalid credential',
      errorCode: 'TENANT_NOT_FOUND',
      tenantId: 'keep-me',
      tokenExpiresAt: '2026-01-01T00:00:00Z',
      ticketAgeSeconds: 12,
      secretsKeyId: 'k1',
      codeVersion: 3,
      onboardingUrl: 'http://localhost:3000/onboarding/x',
    };
    expect(redactDeep(fields)).toEqual(fields);
  });

  it('masks sensitive query parameters and the onboarding token in logged URLs', () => {
    expect(redactUrl('/wechat/authorization/callback?session=abc&auth_code=SECRET&expires_in=600')).toBe(
      `/wechat/authorization/callback?session=${REDACTED}&auth_code=${REDACTED}&expires_in=600`,
    );
    expect(redactUrl('/onboarding/very-secret-token')).toBe(`/onboarding/${REDACTED}`);
    expect(redactUrl('/web-oauth/callback?code=C&state=N0nce&appid=wx1')).toBe(
      `/web-oauth/callback?code=${REDACTED}&state=${REDACTED}&appid=wx1`,
    );
    expect(redactUrl('/sandbox/web-oauth-demo/t?wtg_ticket=wor_x&state=s')).toBe(
      `/sandbox/web-oauth-demo/t?wtg_ticket=${REDACTED}&state=${REDACTED}`,
    );
    expect(redactUrl('/wechat/component/events?timestamp=1&nonce=2&msg_signature=abc')).toBe(
      `/wechat/component/events?timestamp=1&nonce=2&msg_signature=${REDACTED}`,
    );
    expect(redactUrl('/cgi-bin/x?access_token=AT&component_access_token=CAT')).toBe(
      `/cgi-bin/x?access_token=${REDACTED}&component_access_token=${REDACTED}`,
    );
    expect(redactUrl('/v1/tenants?limit=5&status=active&errcode=1')).toBe('/v1/tenants?limit=5&status=active&errcode=1');
    expect(redactUrl('/x?auth_code[]=A&auth_code[0]=B')).toBe(`/x?auth_code[]=${REDACTED}&auth_code[0]=${REDACTED}`);
  });

  it("masks the gateway's own secrets wherever a client put them in the URL (a ticket or key in the path, under any name)", () => {
    const ticket = 'wor_rNZZH-l2jFah14oWGQ4zZzyJqvAHfe0q';
    const key = `wtt_${'a1'.repeat(20)}`;
    expect(redactUrl(`/v1/tenants/t/web-oauth/redemptions/${ticket}`)).toBe(`/v1/tenants/t/web-oauth/redemptions/${REDACTED}`);
    expect(redactUrl(`/x?t=${ticket}&k=${encodeURIComponent(key)}&limit=5`)).toBe(`/x?t=${REDACTED}&k=${REDACTED}&limit=5`);
    expect(redactUrl(`/x/${`whsec_${'b'.repeat(32)}`}/y`)).toBe(`/x/${REDACTED}/y`);
    // Names that merely start like a prefix stay readable.
    expect(redactUrl('/sandbox/web-oauth-demo/t?wtg_ticket_seen=1')).toBe('/sandbox/web-oauth-demo/t?wtg_ticket_seen=1');
  });

  it('never throws on a malformed escape in a parameter name, and still masks what it can read', () => {
    expect(redactUrl('/health/live?%=1')).toBe('/health/live?%=1');
    expect(redactUrl('/x?%zz=1&%E0%A4%A=2')).toBe('/x?%zz=1&%E0%A4%A=2');
    expect(redactUrl('/x?auth_code%=SECRET')).toBe(`/x?auth_code%=${REDACTED}`);
    expect(redactUrl('/x?auth%5fcode=SECRET')).toBe(`/x?auth%5fcode=${REDACTED}`);
    expect(redactUrl('/x?Auth-Code=SECRET')).toBe(`/x?Auth-Code=${REDACTED}`);
  });
});

describe('log redaction is bounded whatever it is given', () => {
  it('names bytes by their size and never expands them', () => {
    const out = redactDeep({
      body: Buffer.alloc(10 * 1024 * 1024, 1),
      view: new Uint8Array(3),
      nested: { raw: new ArrayBuffer(5) },
    });
    expect(out).toEqual({ body: '[10485760 bytes]', view: '[3 bytes]', nested: { raw: '[5 bytes]' } });
  });

  it('leaves live objects (requests, responses, sockets) to the serializers instead of copying them', () => {
    const res = new PassThrough();
    const out = redactDeep({ res, msg: 'request completed' }) as Record<string, unknown>;
    expect(out.res).toBe(res);
  });

  it('stops at a node budget, a depth and a string length', () => {
    const wide = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]));
    const started = performance.now();
    const out = redactDeep({ wide }) as { wide: Record<string, unknown> };
    expect(performance.now() - started).toBeLessThan(1000);
    expect(Object.keys(out.wide).length).toBeLessThan(2100);
    expect(Object.values(out.wide)).toContain('[Truncated]');
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 20; i++) deep = { d: deep };
    expect(JSON.stringify(redactDeep(deep))).toContain('[Truncated]');
    const long = redactDeep({ s: 'x'.repeat(100_000) }) as { s: string };
    expect(long.s.length).toBeLessThan(9000);
    expect(long.s).toContain('[100000 chars]');
  });

  it('still masks secrets inside arrays and nested objects after the bounds were added', () => {
    expect(redactDeep({ a: [{ b: { access_token: 'AT-9' } }] })).toEqual({ a: [{ b: { access_token: REDACTED } }] });
  });
});
