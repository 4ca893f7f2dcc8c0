import { parseCursorInstant } from './cursor-timestamp';

describe('parseCursorInstant', () => {
  it('accepts what toISOString writes and nothing else', () => {
    const now = new Date('2026-11-25T19:08:00.123Z');
    expect(parseCursorInstant(now.toISOString())).toEqual(now);
    expect(parseCursorInstant('0001-01-01T00:00:00.000Z')).toEqual(new Date('0001-01-01T00:00:00.000Z'));
    const refused = [
      '1',
      '2026',
      '2026-02-31T00:00:00.000Z',
      '-100000-01-01T00:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '+275760-09-13T00:00:00.000Z',
      '2026-11-25 19:08:00',
      '2026-11-25T19:08:00Z',
      '2026-11-25T24:00:00.000Z',
      5,
      null,
      '2026-11-25T19:08:00.000Z\u0000',
    ];
    for (const value of refused) expect(parseCursorInstant(value)).toBeUndefined();
  });
});
