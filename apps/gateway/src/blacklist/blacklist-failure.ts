import { DomainError } from '@app/common';
import { isOutcomeUnknown, WeChatApiError, WeChatTransportError } from '@app/wechat';
import type { ErrorCode } from '../platform/errors/error-codes';
import { TenantNotActiveError } from '../tenants/tenant.errors';
import { ApiUnauthorizedError, PermissionSetMissingError, QuotaExceededError } from '../tenant-calls/tenant-calls.errors';

/**
 * Codes an openid can fail with (`failed[].code` of the sync reply, job item `code`):
 * - WECHAT_UNAVAILABLE: network error, timeout, HTTP 5xx or errcode -1, after the library's retries
 * - RATE_LIMITED: 45011 still returned after the library waited it out
 * - QUOTA_EXCEEDED: 45009, or not sent because the daily quota was already spent (sync only;
 *   a job pauses instead)
 * - API_UNAUTHORIZED: 48001, the account may not use the API (not retried)
 * - PERMISSION_SET_MISSING: 61007, the authorization lacks the API's permission set
 * - WECHAT_TOKEN_INVALID: the token was still rejected after one refresh and retry
 * - TENANT_NOT_ACTIVE: the authorization ended (revoked, refresh token dead) mid-way
 * - WECHAT_API_ERROR: any other errcode (the message carries it)
 * - INTERNAL: a job abandoned after repeated internal errors, or not sent for no known reason
 * - any other gateway error code raised while obtaining a token (e.g. COMPONENT_TICKET_MISSING),
 *   or by the gate when a job can no longer go on (e.g. ACCOUNT_NOT_VERIFIED)
 * Invalid openids (40003, 49003) are not failures: they end `invalid` with code INVALID_OPENID.
 */
export const ITEM_FAILURE_CODES = [
  'WECHAT_UNAVAILABLE',
  'RATE_LIMITED',
  'QUOTA_EXCEEDED',
  'API_UNAUTHORIZED',
  'PERMISSION_SET_MISSING',
  'WECHAT_TOKEN_INVALID',
  'TENANT_NOT_ACTIVE',
  'WECHAT_API_ERROR',
  'INTERNAL',
] as const;
export type FailureCode = (typeof ITEM_FAILURE_CODES)[number] | ErrorCode;

/** What a failed blacklist call means, per openid (the batch engine's vocabulary). */
export type BlacklistFailure =
  /** 40003/49003: some openid in the call is not one of the account's. */
  | { kind: 'invalid-openid'; message: string }
  /** 45009 now or earlier: TenantCalls blocked the API until `until`; nothing was applied. */
  | { kind: 'quota'; until: Date }
  /** 61007: the authorization lacks the API's permission set (TenantCalls re-read what is granted). */
  | { kind: 'set-missing'; required: number[]; granted: number[]; message: string }
  /** The authorization ended while obtaining a token. */
  | { kind: 'tenant-not-active'; error: TenantNotActiveError }
  /** Anything else we can name: the openids sent fail with `code`; `unknownOutcome`: the call may have reached WeChat. */
  | { kind: 'failed'; code: FailureCode; message: string; unknownOutcome: boolean };

/**
 * The one reading of a failed blacklist call (TenantCalls.call has already reacted to quota,
 * permission and authorization refusals; the library's kinds are read here, never raw errcodes).
 * Undefined for an error that is not a known failure (a bug): rethrow it.
 */
export function classifyBlacklistFailure(e: unknown, api: string): BlacklistFailure | undefined {
  const failed = (code: FailureCode, message: string, cause: unknown = e): BlacklistFailure => ({
    kind: 'failed',
    code,
    message,
    unknownOutcome: isOutcomeUnknown(cause),
  });
  if (e instanceof QuotaExceededError) return { kind: 'quota', until: e.until };
  if (e instanceof PermissionSetMissingError) {
    return {
      kind: 'set-missing',
      required: e.required,
      granted: e.granted,
      message: `WeChat refused ${api}: permission set missing (errcode 61007).`,
    };
  }
  if (e instanceof ApiUnauthorizedError) {
    return failed('API_UNAUTHORIZED', `WeChat does not allow ${api} for this account (errcode 48001).`, e.cause);
  }
  if (e instanceof WeChatApiError) {
    switch (e.kind) {
      case 'invalid-openid':
        return { kind: 'invalid-openid', message: `WeChat rejected the openid (errcode ${e.errcode}).` };
      case 'retryable':
        return failed('WECHAT_UNAVAILABLE', e.message);
      case 'quota-minute':
        return failed('RATE_LIMITED', e.message);
      case 'token-invalid':
        return failed('WECHAT_TOKEN_INVALID', e.message);
      default:
        return failed('WECHAT_API_ERROR', e.message);
    }
  }
  if (e instanceof WeChatTransportError) return failed('WECHAT_UNAVAILABLE', e.message);
  if (e instanceof TenantNotActiveError) return { kind: 'tenant-not-active', error: e };
  // Domain errors carry codes of the exhaustive status table.
  if (e instanceof DomainError) return failed(e.code as ErrorCode, e.message);
  return undefined;
}
