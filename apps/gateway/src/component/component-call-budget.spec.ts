import { nextChinaMidnight } from './component-call-budget';

describe('nextChinaMidnight', () => {
  it('is the next 00:00 in UTC+8', () => {
    expect(nextChinaMidnight(Date.parse('2026-11-25T15:59:59Z')).toISOString()).toBe('2026-11-25T16:00:00.000Z');
    expect(nextChinaMidnight(Date.parse('2026-11-25T16:00:00Z')).toISOString()).toBe('2026-11-26T16:00:00.000Z');
  });
});
