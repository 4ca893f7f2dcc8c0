import { isUuid, ValidationError } from '@app/common';
import { parseCursorInstant } from '../validation/cursor-timestamp';

/** Keyset position (created_at, id) as an opaque cursor. */
export interface PagePosition {
  at: Date;
  id: string;
}

export function encodeCursor(p: PagePosition): string {
  return Buffer.from(JSON.stringify([p.at.toISOString(), p.id])).toString('base64url');
}

export function decodeCursor(cursor: string): PagePosition {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    // As strict as the SQL that reads it (a year PostgreSQL cannot store is a 500 there).
    const date = parseCursorInstant(at);
    if (date && isUuid(id)) return { at: date, id: id.toLowerCase() };
  } catch {
    // falls through to the validation error
  }
  throw new ValidationError('The request is invalid.', { fields: [{ field: 'cursor', messages: ['cursor is not valid'] }] });
}
