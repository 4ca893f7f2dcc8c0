import { DomainError } from '@app/common';
import type { PushErrorCode } from '../platform/errors/error-codes';

/** A push that failed authentication or could not be read: 401, nothing stored, nothing done. */
export class PushRejectedError extends DomainError<PushErrorCode> {
  constructor(readonly reason: string) {
    super('PUSH_REJECTED', 'The push could not be authenticated.', { reason });
  }
}
