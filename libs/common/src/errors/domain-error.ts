/**
 * Base of every typed error the service raises on purpose. The `code` is the stable
 * string callers see in the error JSON; the HTTP status is decided in one place
 * (the gateway's error filter), not here, so libraries stay transport-agnostic.
 * Each module narrows `C` to the union of its own codes, so a new code must be added
 * to that union, and from there to the gateway's status table, before it compiles.
 */
export class DomainError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The codes this library raises. */
export type CommonErrorCode = 'VALIDATION_FAILED' | 'SECRET_DECRYPTION_FAILED' | 'SECRET_KEY_INVALID';

/** The caller's input broke a rule that validation decorators cannot express. */
export class ValidationError extends DomainError<'VALIDATION_FAILED'> {
  constructor(message: string, details?: unknown) {
    super('VALIDATION_FAILED', message, details);
  }
}

/** The one place UUID syntax is written (tenant, session and job ids are UUIDs). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}
