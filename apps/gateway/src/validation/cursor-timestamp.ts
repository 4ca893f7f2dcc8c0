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
