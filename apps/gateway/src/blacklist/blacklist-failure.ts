import { DomainError } from '@app/common';
import { WeChatApiError, WeChatTransportError } from '@app/wechat';
import type { ErrorCode } from '../errors/error-codes';
import { TenantNotActiveError } from '../tenants/tenant.errors';

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

/** What a failed blacklist call means, the same for the batch engine and the getblacklist page. */
export type BlacklistFailure =
  /** 40003/49003: some openid in the call is not one of the account's. */
  | { kind: 'invalid-openid'; message: string }
  /** 45009: the API's daily quota is spent until the reset. */
  | { kind: 'quota-daily' }
  /** 61007: the authorization lacks the API's permission set (re-read what is granted). */
  | { kind: 'set-missing'; code: 'PERMISSION_SET_MISSING'; message: string }
  /** The authorization ended while obtaining a token. */
  | { kind: 'tenant-not-active'; error: TenantNotActiveError }
  /** Anything else we can name: the openids sent fail with `code`. */
  | { kind: 'failed'; code: FailureCode; message: string };

/**
 * The one reading of a blacklist call's error (reacting to the library's kinds, never to raw
 * errcodes). Undefined for an error that is not a known failure (a bug): rethrow it.
 */
export function classifyBlacklistFailure(e: unknown, api: string): BlacklistFailure | undefined {
  if (e instanceof WeChatApiError) {
    switch (e.kind) {
      case 'invalid-openid':
        return { kind: 'invalid-openid', message: `WeChat rejected the openid (errcode ${e.errcode}).` };
      case 'quota-daily':
        return { kind: 'quota-daily' };
      case 'set-missing':
        return {
          kind: 'set-missing',
          code: 'PERMISSION_SET_MISSING',
          message: `WeChat refused ${api}: permission set missing (errcode 61007).`,
        };
      case 'api-unauthorized':
        return {
          kind: 'failed',
          code: 'API_UNAUTHORIZED',
          message: `WeChat does not allow ${api} for this account (errcode ${e.errcode}).`,
        };
      case 'retryable':
        return { kind: 'failed', code: 'WECHAT_UNAVAILABLE', message: e.message };
      case 'quota-minute':
        return { kind: 'failed', code: 'RATE_LIMITED', message: e.message };
      case 'token-invalid':
        return { kind: 'failed', code: 'WECHAT_TOKEN_INVALID', message: e.message };
      default:
        return { kind: 'failed', code: 'WECHAT_API_ERROR', message: e.message };
    }
  }
  if (e instanceof WeChatTransportError) return { kind: 'failed', code: 'WECHAT_UNAVAILABLE', message: e.message };
  if (e instanceof TenantNotActiveError) return { kind: 'tenant-not-active', error: e };
  // Domain errors carry codes of the exhaustive status table.
  if (e instanceof DomainError) return { kind: 'failed', code: e.code as ErrorCode, message: e.message };
  return undefined;
}
