import { ConfigurationError, validateEnvironment } from '../platform/config/environment';
import { resolveGatewayConfig } from '../platform/config/gateway-config';

const sandbox = {
  operatorApiKey: 'op_0123456789abcdef',
  secretsKey: Buffer.alloc(32, 1).toString('base64'),
  wechat: {
    componentAppId: 'wx1',
    componentAppSecret: 's',
    componentToken: 't',
    encodingAESKey: 'k',
    apiBaseUrl: 'http://x',
    mpBaseUrl: 'http://x',
    openBaseUrl: 'http://x',
  },
};
const resolve = (env: Record<string, string>) =>
  resolveGatewayConfig(validateEnvironment(env), { databaseUrl: 'postgres://x/y', sandbox });

describe('WECHAT_PROXY_EXTRA_PATHS', () => {
  it('defaults to none: only the table’s paths', () => {
    expect(resolve({}).wechatProxy).toEqual({ extraPaths: [] });
  });

  it('is a comma-separated list of prefixes', () => {
    expect(resolve({ WECHAT_PROXY_EXTRA_PATHS: ' cgi-bin/shorturl, wxa/ ' }).wechatProxy).toEqual({
      extraPaths: ['cgi-bin/shorturl', 'wxa/'],
    });
  });

  it.each(['/cgi-bin/shorturl', 'cgi-bin/a b', 'wxa/,,', 'wxa/?x=1'])('stops the start-up naming it when it is %j', (value) => {
    try {
      validateEnvironment({ WECHAT_PROXY_EXTRA_PATHS: value });
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigurationError);
      expect((e as ConfigurationError).problems.map((p) => p.variable)).toEqual(['WECHAT_PROXY_EXTRA_PATHS']);
    }
  });
});
