import { nextChinaMidnight } from './quota-blocks.service';

describe('nextChinaMidnight (WeChat daily quotas reset at 00:00 UTC+8)', () => {
  it.each([
    ['2025-03-01T15:59:59.999Z', '2025-03-01T16:00:00.000Z'],
    ['2025-03-01T16:00:00.000Z', '2025-03-02T16:00:00.000Z'],
    ['2025-03-01T00:00:00.000Z', '2025-03-01T16:00:00.000Z'],
    ['2024-12-31T20:00:00.000Z', '2025-01-01T16:00:00.000Z'],
  ])('after %s → %s', (now, expected) => {
    expect(nextChinaMidnight(new Date(now)).toISOString()).toBe(expected);
  });
});
