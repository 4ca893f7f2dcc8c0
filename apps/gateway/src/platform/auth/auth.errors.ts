import { DomainError } from '@app/common';
import type { AuthErrorCode } from '../errors/error-codes';

export class UnauthenticatedError extends DomainError<AuthErrorCode> {
  constructor() {
    super('UNAUTHENTICATED', 'A valid API key is required (Authorization: Bearer <key>).');
  }
}

export class ForbiddenError extends DomainError<AuthErrorCode> {
  constructor(message = 'This route needs an operator key.') {
    super('FORBIDDEN', message);
  }
}

/** Too many failed authentications from one client address: refused, whatever key it presents, until Retry-After. */
export class RateLimitedError extends DomainError<'RATE_LIMITED'> {
  constructor(readonly retryAfterSeconds: number) {
    super('RATE_LIMITED', 'Too many failed authentication attempts from this address; retry after the time in Retry-After.');
  }
}
