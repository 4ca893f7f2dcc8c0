import { sandboxBanner } from './sandbox-banner';

describe('sandboxBanner: merchants’ H5 pages', () => {
  const banner = sandboxBanner({
    dataDir: '.data',
    operatorApiKey: 'op_key',
    publicBaseUrl: 'http://localhost:3000',
    simulatorUrl: 'http://127.0.0.1:4100',
    messageUrlTemplate: 'http://localhost:3000/wechat/authorizers/$APPID$/events',
    demo: {
      tenantId: 'b7c4c1d2-0000-4000-8000-000000000001',
      onboardingUrl: 'http://localhost:3000/onboarding/x',
      status: 'active',
      followers: [],
    },
  });

  it('prints a web-authorization link whose returnUrl is the sandbox demo page', () => {
    const link = /H5 web auth: +(\S+)/.exec(banner)?.[1];
    expect(link).toBeDefined();
    const url = new URL(link!);
    expect(url.pathname).toBe('/web-oauth/b7c4c1d2-0000-4000-8000-000000000001/authorize');
    expect(url.searchParams.get('scope')).toBe('snsapi_userinfo');
    expect(url.searchParams.get('returnUrl')).toBe(
      'http://localhost:3000/sandbox/web-oauth-demo/b7c4c1d2-0000-4000-8000-000000000001',
    );
  });

  it('prints a JS-SDK signature curl for the demo tenant', () => {
    expect(banner).toContain('/v1/tenants/b7c4c1d2-0000-4000-8000-000000000001/jssdk/signatures');
    expect(banner).toContain('Bearer op_key');
  });
});
