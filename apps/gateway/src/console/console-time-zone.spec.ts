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

describe('CONSOLE_TIME_ZONE', () => {
  it('defaults to Asia/Shanghai and takes any IANA zone', () => {
    expect(resolve({}).consoleTimeZone).toBe('Asia/Shanghai');
    expect(resolve({ CONSOLE_TIME_ZONE: 'Europe/Berlin' }).consoleTimeZone).toBe('Europe/Berlin');
    expect(resolve({ CONSOLE_TIME_ZONE: 'UTC' }).consoleTimeZone).toBe('UTC');
  });

  it('refuses a zone the runtime does not know, naming the variable and the expected form', () => {
    for (const bad of ['Mars/Olympus', 'GMT+8 hours', '<script>']) {
      let error: unknown;
      try {
        validateEnvironment({ CONSOLE_TIME_ZONE: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).problems).toEqual([
        { variable: 'CONSOLE_TIME_ZONE', message: expect.stringContaining('IANA time zone name such as Asia/Shanghai') },
      ]);
    }
  });
});
