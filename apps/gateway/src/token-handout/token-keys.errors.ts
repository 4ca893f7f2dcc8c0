import { DomainError } from '@app/common';
import type { TokenKeyErrorCode } from '../platform/errors/error-codes';

export class TokenKeyNotFoundError extends DomainError<TokenKeyErrorCode> {
  constructor() {
    super('TOKEN_KEY_NOT_FOUND', 'No such token key for this tenant.');
  }
}
