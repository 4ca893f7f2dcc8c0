import { isUuid, ValidationError } from '@app/common';

/**
 * The one cursor codec of the API's lists: a page's position written as base64url text that the
 * caller hands back unread (`nextCursor` → `?cursor=`). A cursor we did not write is refused with
 * VALIDATION_FAILED on `cursor`, as strictly as the SQL that reads the position (anything looser
 * would be a 500 there). Two kinds of position exist:
 * - keyset (created_at, id), for lists in creation order: tenants, webhook endpoints, deliveries;
 * - a sequence number, for append-only lists: audit events, a job's items. The leading letter
 *   tells one list's cursors from another's.
 */
export interface CursorCodec<P> {
  encode(position: P): string;
  decode(cursor: string): P;
}

/** A row's place in a list ordered by (created_at, id). */
export interface KeysetPosition {
  at: Date;
  id: string;
}

const invalidCursor = () =>
  new ValidationError('The request is invalid.', { fields: [{ field: 'cursor', messages: ['cursor is not valid'] }] });

export const keysetCursor: CursorCodec<KeysetPosition> = {
  encode: (p) => Buffer.from(JSON.stringify([p.at.toISOString(), p.id])).toString('base64url'),
  decode(cursor) {
    try {
      const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
      // As strict as the ::timestamptz and ::uuid casts that read it.
      const date = parseCursorInstant(at);
      if (date && isUuid(id)) return { at: date, id: id.toLowerCase() };
    } catch {
      // falls through to the validation error
    }
    throw invalidCursor();
  },
};

/** Sequence numbers of up to `maxDigits` digits (as text: audit's are bigint), tagged with `letter`. */
export function sequenceCursor(letter: string, maxDigits: number): CursorCodec<string> {
  const shape = new RegExp(`^${letter}\\d{1,${maxDigits}}$`);
  return {
    encode: (seq) => Buffer.from(`${letter}${seq}`).toString('base64url'),
    decode(cursor) {
      const text = Buffer.from(cursor, 'base64url').toString('utf8');
      if (!shape.test(text)) throw invalidCursor();
      return text.slice(letter.length);
    },
  };
}

/**
 * Exactly what Date#toISOString writes for years 0001–9999, which PostgreSQL's timestamptz cast
 * accepts (it has no year 0000: 1 BC comes before AD 1).
 */
const ISO_INSTANT = /^(?!0000)\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/**
 * The timestamp half of a keyset cursor, validated as strictly as the SQL cast that reads it:
 * only the form our own encoder writes, for a date that exists (no 2024-02-31, no year -100000).
 */
export function parseCursorInstant(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value)) return undefined;
  const date = new Date(value);
  return !Number.isNaN(date.getTime()) && date.toISOString() === value ? date : undefined;
}
