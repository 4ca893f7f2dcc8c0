import { ConfigurationError, validateEnvironment } from './environment';

const production = {
  WECHAT_COMPONENT_APPID: 'wx1234567890abcdef',
  WECHAT_COMPONENT_APPSECRET: 'componentsecret',
  WECHAT_COMPONENT_TOKEN: 'componenttoken',
  WECHAT_COMPONENT_ENCODING_AES_KEY: 'A'.repeat(43),
  OPERATOR_API_KEYS: '0123456789abcdef'.repeat(4),
  SECRETS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

/** /metrics (route and WeChat-call counters) must not be public in production. */
describe('METRICS_TOKEN / METRICS_PORT in production mode', () => {
  it('one of them is required: the problem names both', () => {
    let thrown: unknown;
    try {
      validateEnvironment(production);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    const problems = (thrown as ConfigurationError).problems;
    expect(problems.map((p) => p.variable)).toEqual(['METRICS_TOKEN']);
    expect(problems[0].message).toContain('METRICS_PORT');
  });

  it('either one is enough; a blank one does not count', () => {
    expect(() => validateEnvironment({ ...production, METRICS_TOKEN: 'metrics-token-0123456789' })).not.toThrow();
    expect(() => validateEnvironment({ ...production, METRICS_PORT: '9464' })).not.toThrow();
    expect(() => validateEnvironment({ ...production, METRICS_TOKEN: '  ', METRICS_PORT: '' })).toThrow(ConfigurationError);
  });

  it('sandbox mode keeps /metrics open without either', () => {
    expect(() => validateEnvironment({})).not.toThrow();
  });
});
