import { ConfigurationError, validateEnvironment } from './environment';

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
});
