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
          message: 'AUTHORIZER_RECONCILE_CRON must be a five-field cron expression (UTC) or off',
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
