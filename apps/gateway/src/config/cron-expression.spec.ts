import { CronExpression } from './cron-expression';

describe('CronExpression', () => {
  const at = (iso: string) => new Date(iso);

  it('matches the UTC minute of each field, with steps, ranges and lists', () => {
    const daily = CronExpression.parse('40 19 * * *');
    expect(daily.matches(at('2026-05-01T19:40:00Z'))).toBe(true);
    expect(daily.matches(at('2026-05-01T19:41:00Z'))).toBe(false);
    const every15 = CronExpression.parse('*/15 8-10 * * 1,3');
    expect(every15.matches(at('2026-06-01T09:30:00Z'))).toBe(true); // a Monday
    expect(every15.matches(at('2026-06-02T09:30:00Z'))).toBe(false); // a Tuesday
    expect(every15.matches(at('2026-06-01T11:00:00Z'))).toBe(false);
  });

  it('day of month or day of week when both are restricted; 7 is Sunday', () => {
    const c = CronExpression.parse('0 0 1 * 7');
    expect(c.matches(at('2026-06-01T00:00:00Z'))).toBe(true); // the 1st
    expect(c.matches(at('2026-06-07T00:00:00Z'))).toBe(true); // a Sunday
    expect(c.matches(at('2026-06-02T00:00:00Z'))).toBe(false);
  });

  it('refuses what it cannot read', () => {
    for (const bad of ['', '* * * *', '60 * * * *', '* 24 * * *', '5-1 * * * *', '*/0 * * * *', 'x * * * *', '@daily']) {
      expect(CronExpression.isValid(bad)).toBe(false);
    }
  });
});
