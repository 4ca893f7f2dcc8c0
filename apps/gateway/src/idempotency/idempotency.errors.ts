import { DomainError } from '@app/common';
import type { IdempotencyErrorCode } from '../platform/errors/error-codes';

export class IdempotencyKeyReusedError extends DomainError<IdempotencyErrorCode> {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request within the last 24 hours.');
  }
}

/** A request with the same key is still being processed and did not finish in time. */
export class IdempotencyKeyInUseError extends DomainError<IdempotencyErrorCode> {
  constructor() {
    super('IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still in progress; retry later.');
  }
}
