/**
 * Base of every typed error the service raises on purpose. The `code` is the stable
 * string callers see in the error JSON; the HTTP status is decided in one place
 * (the gateway's error filter), not here, so libraries stay transport-agnostic.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Raised when something asked for does not exist (or must not be revealed to exist). */
export class NotFoundError extends DomainError {}

/** The caller's input broke a rule that validation decorators cannot express. */
export class ValidationError extends DomainError {
  constructor(message: string, details?: unknown) {
    super('VALIDATION_FAILED', message, details);
  }
}
