import { DomainError } from '@app/common';
import type { TenantCallErrorCode } from '../platform/errors/error-codes';

/** The gate: the API is for verified accounts only (`what` names it: "blacklist management", or the path). */
export class AccountNotVerifiedError extends DomainError<TenantCallErrorCode> {
  constructor(what = 'blacklist management') {
    super('ACCOUNT_NOT_VERIFIED', `The Official Account is not verified; WeChat allows ${what} for verified accounts only.`);
  }
}

/**
 * The gate found none of the API's permission sets granted, or WeChat refused the call with 61007.
 * details.required: sets of which any one would do (from the library's table); details.granted: what the account holds.
 */
export class PermissionSetMissingError extends DomainError<TenantCallErrorCode> {
  readonly required: number[];
  readonly granted: number[];

  constructor(required: readonly number[], granted: readonly number[]) {
    super(
      'PERMISSION_SET_MISSING',
      `The authorization does not include a permission set this API needs (any of ${required.join(', ')}).`,
      { required: [...required], granted: [...granted] },
    );
    this.required = [...required];
    this.granted = [...granted];
  }
}

/** 45009: WeChat's daily quota for this account and API is spent until the reset (midnight, China Standard Time). */
export class QuotaExceededError extends DomainError<TenantCallErrorCode> {
  readonly retryAfterSeconds: number;

  constructor(
    api: string,
    readonly until: Date,
    details: Record<string, unknown> = {},
  ) {
    super('QUOTA_EXCEEDED', `WeChat's daily quota for ${api} is used up for this account until ${until.toISOString()}.`, {
      api,
      retryAt: until.toISOString(),
      ...details,
    });
    this.retryAfterSeconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  }
}

/**
 * 48001: WeChat says the account (type or verification) may not use this API. `cause`: WeChat's
 * error, kept so a caller can still ask whether an earlier attempt of the call went unanswered.
 */
export class ApiUnauthorizedError extends DomainError<TenantCallErrorCode> {
  constructor(
    api: string,
    readonly cause?: unknown,
  ) {
    super('API_UNAUTHORIZED', `WeChat does not allow ${api} for this Official Account (errcode 48001).`);
  }
}
