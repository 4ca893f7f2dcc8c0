/**
 * Codes the onboarding pages and the callback answer with (as HTML, or as the error JSON to a
 * client that asks for JSON). They are not thrown; the pages look their status up in ERROR_STATUS.
 */
export type OnboardingErrorCode =
  'AUTHORIZATION_SESSION_NOT_FOUND' | 'AUTHORIZATION_SESSION_GONE' | 'AUTHORIZER_ALREADY_BOUND' | 'AUTHORIZATION_CODE_INVALID';
