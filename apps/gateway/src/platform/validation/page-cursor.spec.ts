import { keysetCursor, parseCursorInstant, sequenceCursor } from './page-cursor';

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

describe('the page cursor codec', () => {
  const invalid = { code: 'VALIDATION_FAILED', details: { fields: [{ field: 'cursor', messages: ['cursor is not valid'] }] } };

  it('keyset: round-trips (created_at, id), lower-casing the id; refuses what it did not write', () => {
    const at = new Date('2026-11-25T19:08:00.123Z');
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(keysetCursor.decode(keysetCursor.encode({ at, id }))).toEqual({ at, id });
    expect(keysetCursor.decode(keysetCursor.encode({ at, id: id.toUpperCase() }))).toEqual({ at, id });
    // The bytes are what the lists have always written, so cursors handed out earlier still work.
    expect(keysetCursor.encode({ at, id })).toBe(Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url'));
    const foreign = [
      'nope',
      Buffer.from('[1,2]').toString('base64url'),
      Buffer.from(JSON.stringify(['2026-02-31T00:00:00.000Z', id])).toString('base64url'),
      Buffer.from(JSON.stringify([at.toISOString(), 'x'])).toString('base64url'),
    ];
    for (const cursor of foreign) expect(() => keysetCursor.decode(cursor)).toThrow(expect.objectContaining(invalid));
  });

  it('sequence: round-trips a number under its letter; another list’s cursor or too many digits is refused', () => {
    const audit = sequenceCursor('a', 18);
    const items = sequenceCursor('i', 9);
    expect(audit.encode('123')).toBe(Buffer.from('a123').toString('base64url'));
    expect(audit.decode(audit.encode('123456789012345678'))).toBe('123456789012345678');
    expect(items.decode(items.encode('42'))).toBe('42');
    for (const cursor of [audit.encode('42'), items.encode('1234567890'), Buffer.from('i').toString('base64url'), 'i42']) {
      expect(() => items.decode(cursor)).toThrow(expect.objectContaining(invalid));
    }
  });
});
