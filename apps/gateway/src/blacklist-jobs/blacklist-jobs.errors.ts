import { DomainError } from '@app/common';
import type { BlacklistJobsErrorCode } from '../platform/errors/error-codes';

export class JobNotFoundError extends DomainError<BlacklistJobsErrorCode> {
  constructor() {
    super('JOB_NOT_FOUND', 'No such blacklist job.');
  }
}
