import { Matches, type ValidationOptions } from 'class-validator';

/** C0 controls and DEL: never meaningful in a name, id, URL or cursor, and NUL cannot be stored in PostgreSQL text. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * On every string field of every DTO (body and query): control characters are refused with
 * VALIDATION_FAILED instead of reaching SQL (where NUL is a 500) or a log line.
 */
export function NoControlCharacters(options: ValidationOptions = {}): PropertyDecorator {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return Matches(/^[^\u0000-\u001f\u007f]*$/, {
    message: ({ property }) => `${property} must not contain control characters`,
    ...options,
  });
}
