import type { CommonErrorCode } from '@app/common';
import type { WeChatErrorCode } from '@app/wechat';

/*
 * Every error code a caller can see, by the module that raises it. It sits at the bottom of the
 * folder graph (it imports no feature): features import their union from here for their
 * `DomainError<...>` classes, and platform/errors/error-status.ts must give each code a status, so a
 * new code does not compile until it has one.
 */

/** Codes of the HTTP layer itself (body parsing, routing, the last-resort 500). */
export type HttpLayerErrorCode =
  | 'MALFORMED_BODY'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'INTERNAL'
  // Rate limits (public pages, failed authentication) and Node's own HTTP parser errors.
  | 'RATE_LIMITED'
  | 'MALFORMED_REQUEST'
  | 'HEADERS_TOO_LARGE'
  | 'REQUEST_TIMEOUT';

export type AuthErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN';

export type TenantErrorCode = 'TENANT_NOT_FOUND' | 'TENANT_EXISTS' | 'TENANT_NOT_ACTIVE';

export type ComponentErrorCode = 'COMPONENT_TICKET_MISSING' | 'COMPONENT_DAILY_BUDGET_EXHAUSTED' | 'COMPONENT_QUOTA_EXHAUSTED';

export type PushErrorCode = 'PUSH_REJECTED';

/** Answered by the onboarding pages and callback (as HTML, or as the error JSON to a client asking for JSON). */
export type OnboardingErrorCode =
  | 'AUTHORIZATION_SESSION_NOT_FOUND'
  | 'AUTHORIZATION_SESSION_GONE'
  | 'AUTHORIZER_ALREADY_BOUND'
  | 'AUTHORIZATION_CODE_INVALID'
  | 'TOO_MANY_SESSIONS'
  | 'RETURN_URL_NOT_ALLOWED';

/** Raised by tenant-calls/ for any Official Account API a tenant calls (the gate and WeChat's refusals). */
export type TenantCallErrorCode = 'ACCOUNT_NOT_VERIFIED' | 'PERMISSION_SET_MISSING' | 'QUOTA_EXCEEDED' | 'API_UNAUTHORIZED';

export type BlacklistJobsErrorCode = 'JOB_NOT_FOUND';

export type IdempotencyErrorCode = 'IDEMPOTENCY_KEY_REUSED' | 'IDEMPOTENCY_KEY_IN_USE';

/** PostgreSQL unreachable: answered 503 with Retry-After (platform/errors/http-error.filter.ts). */
export type AvailabilityErrorCode = 'SERVICE_UNAVAILABLE';

export type WebhookErrorCode =
  'WEBHOOK_ENDPOINT_NOT_FOUND' | 'WEBHOOK_EVENT_NOT_FOUND' | 'WEBHOOK_URL_NOT_ALLOWED' | 'TOO_MANY_ENDPOINTS';

/** The WeChat proxy: a path the permission table does not list (nor WECHAT_PROXY_EXTRA_PATHS). */
export type WeChatProxyErrorCode = 'API_NOT_ALLOWED';

export type TokenKeyErrorCode = 'TOKEN_KEY_NOT_FOUND';

/** Web authorization on behalf of the account (the hosted flow's pages answer them too). */
export type WebOAuthErrorCode =
  | 'RETURN_URL_NOT_ALLOWED'
  | 'WEB_OAUTH_STATE_INVALID'
  | 'WEB_OAUTH_APPID_MISMATCH'
  | 'WEB_OAUTH_CODE_INVALID'
  | 'WEB_OAUTH_TICKET_INVALID';

export type ErrorCode =
  | HttpLayerErrorCode
  | CommonErrorCode
  | WeChatErrorCode
  | AuthErrorCode
  | TenantErrorCode
  | ComponentErrorCode
  | PushErrorCode
  | OnboardingErrorCode
  | TenantCallErrorCode
  | BlacklistJobsErrorCode
  | IdempotencyErrorCode
  | WebhookErrorCode
  | WeChatProxyErrorCode
  | TokenKeyErrorCode
  | WebOAuthErrorCode
  | AvailabilityErrorCode;
