import { HttpStatus } from '@nestjs/common';
import type { CommonErrorCode } from '@app/common';
import type { WeChatErrorCode } from '@app/wechat';
import type { AuthErrorCode } from '../auth/auth.errors';
import type { BlacklistErrorCode } from '../blacklist/blacklist.errors';
import type { ComponentErrorCode } from '../component/component.errors';
import type { PushErrorCode } from '../wechat-events/push-rejected.error';
import type { OnboardingErrorCode } from '../onboarding/onboarding.errors';
import type { TenantErrorCode } from '../tenants/tenant.errors';
import type { WebhookErrorCode } from '../webhooks/webhooks.errors';

/** Codes of the HTTP layer itself (body parsing, routing, the last-resort 500). */
export type HttpLayerErrorCode =
  'MALFORMED_BODY' | 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED' | 'INTERNAL';

/** Every error code a caller can see. A module's new code joins its union, and then must get a status below. */
export type ErrorCode =
  | HttpLayerErrorCode
  | CommonErrorCode
  | WeChatErrorCode
  | AuthErrorCode
  | TenantErrorCode
  | ComponentErrorCode
  | PushErrorCode
  | OnboardingErrorCode
  | BlacklistErrorCode
  | WebhookErrorCode;

/**
 * The one place where error codes become HTTP statuses (the error filter and the onboarding
 * pages both read it). Typed over every code, so a code without a status does not compile.
 */
export const ERROR_STATUS: Readonly<Record<ErrorCode, HttpStatus>> = {
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  MALFORMED_BODY: HttpStatus.BAD_REQUEST,
  PAYLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  UNSUPPORTED_MEDIA_TYPE: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  METHOD_NOT_ALLOWED: HttpStatus.METHOD_NOT_ALLOWED,
  UNAUTHENTICATED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  TENANT_NOT_FOUND: HttpStatus.NOT_FOUND,
  TENANT_EXISTS: HttpStatus.CONFLICT,
  TENANT_NOT_ACTIVE: HttpStatus.CONFLICT,
  AUTHORIZATION_SESSION_NOT_FOUND: HttpStatus.NOT_FOUND,
  AUTHORIZATION_SESSION_GONE: HttpStatus.GONE,
  AUTHORIZER_ALREADY_BOUND: HttpStatus.CONFLICT,
  AUTHORIZATION_CODE_INVALID: HttpStatus.BAD_REQUEST,
  COMPONENT_TICKET_MISSING: HttpStatus.SERVICE_UNAVAILABLE,
  PUSH_REJECTED: HttpStatus.UNAUTHORIZED,
  WECHAT_SIGNATURE_INVALID: HttpStatus.UNAUTHORIZED,
  WECHAT_PADDING_INVALID: HttpStatus.UNAUTHORIZED,
  WECHAT_APPID_MISMATCH: HttpStatus.UNAUTHORIZED,
  WECHAT_MESSAGE_LENGTH_INVALID: HttpStatus.UNAUTHORIZED,
  WECHAT_CIPHERTEXT_INVALID: HttpStatus.UNAUTHORIZED,
  WECHAT_ENCODING_AES_KEY_INVALID: HttpStatus.INTERNAL_SERVER_ERROR,
  WECHAT_XML_INVALID: HttpStatus.BAD_REQUEST,
  ACCOUNT_NOT_VERIFIED: HttpStatus.FORBIDDEN,
  PERMISSION_SET_MISSING: HttpStatus.FORBIDDEN,
  IDEMPOTENCY_KEY_REUSED: HttpStatus.UNPROCESSABLE_ENTITY,
  QUOTA_EXCEEDED: HttpStatus.TOO_MANY_REQUESTS,
  JOB_NOT_FOUND: HttpStatus.NOT_FOUND,
  IDEMPOTENCY_KEY_IN_USE: HttpStatus.CONFLICT,
  API_UNAUTHORIZED: HttpStatus.FORBIDDEN,
  WECHAT_API_ERROR: HttpStatus.BAD_GATEWAY,
  WECHAT_UNAVAILABLE: HttpStatus.BAD_GATEWAY,
  WECHAT_REQUEST_INVALID: HttpStatus.INTERNAL_SERVER_ERROR,
  SECRET_DECRYPTION_FAILED: HttpStatus.INTERNAL_SERVER_ERROR,
  SECRET_KEY_INVALID: HttpStatus.INTERNAL_SERVER_ERROR,
  WEBHOOK_ENDPOINT_NOT_FOUND: HttpStatus.NOT_FOUND,
  WEBHOOK_EVENT_NOT_FOUND: HttpStatus.NOT_FOUND,
  WEBHOOK_URL_NOT_ALLOWED: HttpStatus.BAD_REQUEST,
  INTERNAL: HttpStatus.INTERNAL_SERVER_ERROR,
};

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_STATUS, code);
}
