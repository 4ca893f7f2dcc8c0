import { DomainError } from '@app/common';
import type { OnboardingErrorCode } from '../platform/errors/error-codes';

/** A tenant may hold MAX_OPEN_SESSIONS open onboarding sessions; each is a public link that makes the component call WeChat. */
export class TooManySessionsError extends DomainError<OnboardingErrorCode> {
  constructor(limit: number, firstExpiry: Date | null) {
    super(
      'TOO_MANY_SESSIONS',
      `This tenant already has ${limit} open authorization sessions; wait for one to be completed or to expire, or close one (DELETE /v1/tenants/:tenantId/authorization-sessions/:sessionId).`,
      { limit, oldestExpiresAt: firstExpiry?.toISOString() ?? null },
    );
  }
}

/** Also the answer for another tenant's session or a malformed id: existence is never revealed. */
export class AuthorizationSessionNotFoundError extends DomainError<OnboardingErrorCode> {
  constructor() {
    super('AUTHORIZATION_SESSION_NOT_FOUND', 'No such authorization session.');
  }
}

/**
 * A tenant key set a returnUrl the operator has not allowed: without ONBOARDING_RETURN_URL_ORIGINS
 * tenant keys may not set one at all, so the gateway's own link cannot end on a tenant's phishing page.
 */
export class ReturnUrlNotAllowedError extends DomainError<OnboardingErrorCode> {
  constructor(allowlistSet: boolean) {
    super(
      'RETURN_URL_NOT_ALLOWED',
      allowlistSet
        ? 'returnUrl’s origin is not one of those the operator allows (ONBOARDING_RETURN_URL_ORIGINS).'
        : 'A tenant key may not set returnUrl unless the operator allows origins (ONBOARDING_RETURN_URL_ORIGINS); leave it out.',
    );
  }
}
