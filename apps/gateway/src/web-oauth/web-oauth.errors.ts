import { DomainError } from '@app/common';
import type { WebOAuthErrorCode } from '../platform/errors/error-codes';

/** The returnUrl's origin is not one of the tenant's webOAuthOrigins (an empty list refuses all). */
export class ReturnUrlNotAllowedError extends DomainError<WebOAuthErrorCode> {
  constructor() {
    super('RETURN_URL_NOT_ALLOWED', "returnUrl's origin is not one of the tenant's webOAuthOrigins.");
  }
}

/** The callback's `state` names no flow, or one already finished or older than 10 minutes. */
export class WebOAuthStateInvalidError extends DomainError<WebOAuthErrorCode> {
  constructor() {
    super('WEB_OAUTH_STATE_INVALID', 'This web authorization is unknown, already used or expired; start again from the page.');
  }
}

/** The callback's `appid` is not the tenant's account: nothing is exchanged. */
export class WebOAuthAppIdMismatchError extends DomainError<WebOAuthErrorCode> {
  constructor() {
    super('WEB_OAUTH_APPID_MISMATCH', "The callback's appid is not the tenant's Official Account.");
  }
}

/** 40029 / 40163: the code is invalid, expired or already used; the follower must authorize again. */
export class WebOAuthCodeInvalidError extends DomainError<WebOAuthErrorCode> {
  constructor() {
    super('WEB_OAUTH_CODE_INVALID', 'WeChat says the code is invalid, expired or already used.');
  }
}

export class WebOAuthTicketInvalidError extends DomainError<WebOAuthErrorCode> {
  constructor() {
    super('WEB_OAUTH_TICKET_INVALID', 'The ticket is unknown, already redeemed or expired.');
  }
}
