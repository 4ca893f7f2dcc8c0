import { ValidationError } from '@app/common';
import { assertOnlyKeys, JOB_MAX_OPENIDS, SYNC_MAX_OPENIDS, validateAction, validateOpenIds } from './openid-validation';

function rejection(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('validateOpenIds', () => {
  it('returns distinct openids in first-seen order', () => {
    expect(validateOpenIds(['b', 'a', 'b', 'c', 'a'], SYNC_MAX_OPENIDS)).toEqual(['b', 'a', 'c']);
  });

  it('accepts 1-64 characters of A-Z a-z 0-9 _ -', () => {
    expect(validateOpenIds(['o', 'x'.repeat(64), 'oA-b_9'], 10)).toHaveLength(3);
  });

  it('names each bad item by index and value and counts them all', () => {
    const e = rejection(() => validateOpenIds(['ok', '', 'x'.repeat(65), 7, null, 'ü'], 10));
    const details = e.details as {
      invalidItems: { index: number; value: unknown }[];
      invalidCount: number;
      fields: { field: string }[];
    };
    expect(details.invalidItems.map((i) => i.index)).toEqual([1, 2, 3, 4, 5]);
    expect(details.invalidItems.map((i) => i.value)).toEqual(['', 'x'.repeat(65), 7, null, 'ü']);
    expect(details.fields[0].field).toBe('openids[1]');
    expect(details.invalidCount).toBe(5);
  });

  it('reports at most 100 bad items, however many there are', () => {
    const e = rejection(() =>
      validateOpenIds(
        Array.from({ length: 500 }, () => 'bad id'),
        1000,
      ),
    );
    expect((e.details as { invalidItems: unknown[]; invalidCount: number }).invalidItems).toHaveLength(100);
    expect((e.details as { invalidCount: number }).invalidCount).toBe(500);
  });

  it.each([[[]], [undefined], ['o1'], [{ 0: 'o1' }]])('rejects %p as the list', (value) => {
    expect((rejection(() => validateOpenIds(value, 10)).details as { fields: { field: string }[] }).fields[0].field).toBe(
      'openids',
    );
  });

  it('enforces the maximum', () => {
    expect(() =>
      validateOpenIds(
        Array.from({ length: 11 }, (_, i) => `o${i}`),
        10,
      ),
    ).toThrow(ValidationError);
  });

  // Its speed is the bulk benchmark's business (bench/scenarios/bulk.ts), not a timed unit test's.
  it('accepts exactly JOB_MAX_OPENIDS distinct openids and keeps them in order', () => {
    const openids = Array.from({ length: JOB_MAX_OPENIDS }, (_, i) => `oAbCdEfGhIjKlMnOpQr${String(i).padStart(9, '0')}`);
    const valid = validateOpenIds(openids, JOB_MAX_OPENIDS);
    expect(valid).toHaveLength(JOB_MAX_OPENIDS);
    expect(valid[0]).toBe(openids[0]);
    expect(valid[JOB_MAX_OPENIDS - 1]).toBe(openids[JOB_MAX_OPENIDS - 1]);
    expect(() => validateOpenIds([...openids, 'one-more'], JOB_MAX_OPENIDS)).toThrow(ValidationError);
  });
});

describe('assertOnlyKeys / validateAction', () => {
  it('rejects unknown properties and non-objects', () => {
    expect(() => assertOnlyKeys({ openids: [] }, ['openids'])).not.toThrow();
    expect(() => assertOnlyKeys({ openids: [], x: 1 }, ['openids'])).toThrow(ValidationError);
    expect(() => assertOnlyKeys([], ['openids'])).toThrow(ValidationError);
    expect(() => assertOnlyKeys(null, ['openids'])).toThrow(ValidationError);
  });

  it('knows block and unblock only', () => {
    expect(validateAction('block')).toBe('block');
    expect(validateAction('unblock')).toBe('unblock');
    expect(() => validateAction('Block')).toThrow(ValidationError);
  });
});
