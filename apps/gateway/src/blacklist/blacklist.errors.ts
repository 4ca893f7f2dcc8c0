import { DomainError } from '@app/common';
import type { BlacklistErrorCode } from '../errors/error-codes';

export class AccountNotVerifiedError extends DomainError<BlacklistErrorCode> {
  constructor(what = 'blacklist management') {
    super('ACCOUNT_NOT_VERIFIED', `The Official Account is not verified; WeChat allows ${what} for verified accounts only.`);
  }
}

/** details.required: sets of which any one would do (from the library's table); details.granted: what the account holds. */
export class PermissionSetMissingError extends DomainError<BlacklistErrorCode> {
  constructor(required: readonly number[], granted: readonly number[]) {
    super(
      'PERMISSION_SET_MISSING',
      `The authorization does not include a permission set this API needs (any of ${required.join(', ')}).`,
      { required: [...required], granted: [...granted] },
    );
  }
}

/** 45009: WeChat's daily quota for this account and API is spent until the reset (midnight, China Standard Time). */
export class QuotaExceededError extends DomainError<BlacklistErrorCode> {
  readonly retryAfterSeconds: number;

  constructor(api: string, until: Date, details: Record<string, unknown> = {}) {
    super('QUOTA_EXCEEDED', `WeChat's daily quota for ${api} is used up for this account until ${until.toISOString()}.`, {
      api,
      retryAt: until.toISOString(),
      ...details,
    });
    this.retryAfterSeconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  }
}

/** 48001: WeChat says the account (type or verification) may not use this API. */
export class ApiUnauthorizedError extends DomainError<BlacklistErrorCode> {
  constructor(api: string) {
    super('API_UNAUTHORIZED', `WeChat does not allow ${api} for this Official Account (errcode 48001).`);
  }
}

export class JobNotFoundError extends DomainError<BlacklistErrorCode> {
  constructor() {
    super('JOB_NOT_FOUND', 'No such blacklist job.');
  }
}
