import { DomainError } from '@app/common';

export class UnauthenticatedError extends DomainError {
  constructor() {
    super('UNAUTHENTICATED', 'A valid API key is required (Authorization: Bearer <key>).');
  }
}

export class ForbiddenError extends DomainError {
  constructor() {
    super('FORBIDDEN', 'This route needs an operator key.');
  }
}
