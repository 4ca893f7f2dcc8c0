import { ConfigurationError, validateEnvironment } from './environment';
import { retentionSettings } from './retention-settings';

/** The problems validateEnvironment names for `env`, or [] when it passes. */
function problems(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    validateEnvironment(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigurationError) return e.problems;
    throw e;
  }
}

describe('environment validation', () => {
  it('AUTHORIZER_RECONCILE_CRON: five-field cron (UTC) as pg-boss reads it, or off', () => {
    for (const good of ['40 19 * * *', '*/15 8-10 * * 1,3', '0 0 1 * 7', 'off']) {
      expect(problems({ AUTHORIZER_RECONCILE_CRON: good })).toEqual([]);
    }
    for (const bad of [
      '',
      'daily',
      '* * * *',
      '*/2 * * * * *',
      '60 * * * *',
      '0 24 * * *',
      '0 0 0 * *',
      '0 0 * 13 *',
      '5-1 * * * *',
    ]) {
      expect(problems({ AUTHORIZER_RECONCILE_CRON: bad })).toEqual([
        {
          variable: 'AUTHORIZER_RECONCILE_CRON',
          message: expect.stringMatching(/^AUTHORIZER_RECONCILE_CRON: .+; expected a five-field cron expression \(UTC\) or off$/),
        },
      ]);
    }
  });

  it('RETENTION_*: whole days from 1, each named when wrong; unset takes the defaults, the audit trail kept forever', () => {
    const names = [
      'RETENTION_WEBHOOK_DAYS',
      'RETENTION_MESSAGE_RECEIPTS_DAYS',
      'RETENTION_JOB_ITEMS_DAYS',
      'RETENTION_API_CALLS_DAYS',
      'RETENTION_CODE_EXCHANGES_DAYS',
      'RETENTION_AUDIT_DAYS',
    ];
    for (const name of names) {
      expect(problems({ [name]: '7' })).toEqual([]);
      for (const bad of ['0', '-1', '1.5', 'thirty', '99999999']) {
        expect(problems({ [name]: bad }).map((p) => p.variable)).toEqual([name]);
      }
    }
    const env = validateEnvironment({ RETENTION_WEBHOOK_DAYS: '10', RETENTION_AUDIT_DAYS: '400' });
    expect(
      retentionSettings({
        retention: { webhookDays: env.RETENTION_WEBHOOK_DAYS, auditDays: env.RETENTION_AUDIT_DAYS, jobItemsDays: undefined },
      }),
    ).toEqual({
      webhookDays: 10,
      messageReceiptsDays: 3,
      jobItemsDays: 90,
      apiCallsDays: 30,
      codeExchangesDays: 30,
      auditDays: 400,
    });
    expect(retentionSettings({}).auditDays).toBeUndefined();
  });
});

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    validateEnvironment(env);
  } catch (e) {
    if (e instanceof ConfigurationError) return e.problems.map((p) => p.message);
    throw e;
  }
  throw new Error('no configuration error');
}

describe('configuration errors name the variable, the value’s problem and the expected form', () => {
  it.each([
    ['abc', 'PORT: "abc" is not a number; expected a whole number from 0 to 65535'],
    ['70000', 'PORT: "70000" is greater than 65535; expected a whole number from 0 to 65535'],
    ['-1', 'PORT: "-1" is less than 0; expected a whole number from 0 to 65535'],
    ['80.5', 'PORT: "80.5" is not a whole number; expected a whole number from 0 to 65535'],
  ])('PORT=%s', (value, message) => {
    expect(problemsOf({ PORT: value })).toEqual([message]);
  });

  it('a value from a list, a pattern, and a value with spaces', () => {
    expect(problemsOf({ LOG_LEVEL: 'loud' })).toEqual([
      'LOG_LEVEL: "loud" is not an allowed value; expected one of fatal, error, warn, info, debug, trace, silent',
    ]);
    expect(problemsOf({ LOG_FORMAT: 'xml' })).toEqual([
      'LOG_FORMAT: "xml" is not an allowed value; expected one of json, pretty',
    ]);
    expect(problemsOf({ PUBLIC_BASE_URL: 'not a url' })).toEqual([
      'PUBLIC_BASE_URL: "not a url" is not valid; expected an http(s) URL',
    ]);
  });

  it('a secret’s value is never repeated; a missing required variable says so', () => {
    const problems = problemsOf({ WECHAT_COMPONENT_APPID: 'wx1234567890abcdef', SECRETS_ENCRYPTION_KEY: 'c2hvcnQ=' });
    expect(problems).toContain('SECRETS_ENCRYPTION_KEY: the value (not shown) is not valid; expected 32 bytes, base64');
    expect(problems).toContain('WECHAT_COMPONENT_TOKEN: missing; expected 3-32 letters or digits');
    expect(problems.join('\n')).not.toContain('c2hvcnQ');
  });
});

describe('BRAND_NAME and BRAND_LOGO_URL', () => {
  it('an https logo URL is accepted; http, or a file outside the data directory, is refused with the expected form', () => {
    expect(() =>
      validateEnvironment({ BRAND_NAME: '微商助手', BRAND_LOGO_URL: 'https://cdn.example.com/logo.png' }),
    ).not.toThrow();
    for (const value of ['http://cdn.example.com/logo.png', '/etc/passwd', '.data/missing.png']) {
      expect(problemsOf({ BRAND_LOGO_URL: value })).toEqual([
        expect.stringMatching(
          /^BRAND_LOGO_URL: ".*" is not valid; expected an https URL or an image file .* under the data directory/,
        ),
      ]);
    }
  });
});
