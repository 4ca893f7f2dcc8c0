import { DomainError } from '@app/common';

/** A push that failed authentication or could not be read: 401, nothing stored, nothing done. */
export class PushRejectedError extends DomainError {
  constructor(readonly reason: string) {
    super('PUSH_REJECTED', 'The push could not be authenticated.', { reason });
  }
}
