import { ConfigurationError, validateEnvironment } from '../platform/config/environment';
import { resolveGatewayConfig } from '../platform/config/gateway-config';
import { DEFAULT_RETRY_SCHEDULE_SECONDS, privateUrlsRefused, webhookSettings } from './webhook-settings';

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

describe('WEBHOOK_* variables', () => {
  it('default to the Standard Webhooks schedule, 16 in flight, 2 per endpoint, 1 s polls, 10 s deadline, 10 endpoints per tenant', () => {
    const config = resolve({});
    expect(webhookSettings(config)).toEqual({
      allowPrivateUrls: false,
      retryScheduleSeconds: DEFAULT_RETRY_SCHEDULE_SECONDS,
      concurrency: 16,
      concurrencyPerEndpoint: 2,
      pollIntervalMs: 1000,
      timeoutMs: 10_000,
      endpointsPerTenant: 10,
    });
    // Sandbox mode never refuses private URLs.
    expect(privateUrlsRefused(config)).toBe(false);
  });

  it('are read when set', () => {
    const s = webhookSettings(
      resolve({
        WEBHOOK_RETRY_SCHEDULE: '1, 2,3',
        WEBHOOK_CONCURRENCY: '4',
        WEBHOOK_CONCURRENCY_PER_ENDPOINT: '1',
        WEBHOOK_POLL_INTERVAL_MS: '200',
        WEBHOOK_TIMEOUT_MS: '500',
        WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
        WEBHOOK_ENDPOINTS_PER_TENANT: '3',
      }),
    );
    expect(s).toEqual({
      allowPrivateUrls: true,
      retryScheduleSeconds: [1, 2, 3],
      concurrency: 4,
      concurrencyPerEndpoint: 1,
      pollIntervalMs: 200,
      timeoutMs: 500,
      endpointsPerTenant: 3,
    });
  });

  it.each([
    ['WEBHOOK_RETRY_SCHEDULE', '5,soon'],
    ['WEBHOOK_CONCURRENCY', '0'],
    ['WEBHOOK_POLL_INTERVAL_MS', '10'],
    ['WEBHOOK_TIMEOUT_MS', 'ten'],
    ['WEBHOOK_ALLOW_PRIVATE_URLS', 'yes'],
    ['WEBHOOK_ENDPOINTS_PER_TENANT', '0'],
  ])('stop the start-up naming %s when it is %s', (variable, value) => {
    try {
      validateEnvironment({ [variable]: value });
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigurationError);
      expect((e as ConfigurationError).problems.map((p) => p.variable)).toEqual([variable]);
    }
  });
});
