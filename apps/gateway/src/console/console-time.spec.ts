import { relativeTime, zonedTime } from './console-time';

describe('console times', () => {
  const now = new Date('2026-12-07T09:41:00Z');

  it('shows a moment in the operator zone, Asia/Shanghai being UTC+8', () => {
    expect(zonedTime(now, 'Asia/Shanghai')).toBe('2026-12-07 17:41');
    expect(zonedTime(now, 'UTC')).toBe('2026-12-07 09:41');
  });

  it('says how long ago, in Chinese or English', () => {
    expect(relativeTime(new Date(now.getTime() - 3 * 60_000), now, 'zh-CN')).toMatch(/^3\s?分钟前$/);
    expect(relativeTime(new Date(now.getTime() - 3 * 60_000), now, 'en')).toBe('3 minutes ago');
    expect(relativeTime(new Date(now.getTime() + 2 * 3_600_000), now, 'en')).toBe('in 2 hours');
    expect(relativeTime(now, now, 'zh-CN')).toBe('现在');
  });
});
