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
