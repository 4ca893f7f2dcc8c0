import type { ApiName } from '../api-names';
import type { AuthorizerAccount } from '../authorizers';
import type { SimCore } from '../core';
import { WeChatApiError } from '../errors';
import type { TokenKind, TokenRecord } from '../tokens';

export interface ApiCall {
  sim: SimCore;
  body: Record<string, unknown>;
  /** The query string's parameters (first value of each). */
  query: Record<string, unknown>;
  /** The body as received, and its content type (routes reading multipart parse it themselves). */
  raw: Buffer;
  contentType?: string;
  token?: TokenRecord;
  /** The account behind an authorizer token. */
  authorizer?: AuthorizerAccount;
}

export interface ApiRoute {
  name: ApiName;
  /** Query parameter that must carry a token, and the token kinds it accepts; null = no token. */
  auth: { param: 'component_access_token' | 'access_token'; kinds: readonly TokenKind[] } | null;
  /** Authorizer APIs: holding any one of these permission sets is enough (else 61007). */
  permissionSets?: number[];
  /** Authorizer APIs that WeChat allows for verified accounts only (else 48001). */
  verifiedOnly?: boolean;
  /** HTTP methods WeChat accepts for the API (default POST only; others get 43002 / 43001). */
  methods?: readonly ('GET' | 'POST')[];
  /** How the body is read: JSON (default; 44002 empty, 47001 malformed), none (GET APIs) or multipart (the route parses it). */
  body?: 'json' | 'none' | 'multipart';
  /** The account a call is for when no token says so (call log, faults, quota). */
  accountFromBody?(body: Record<string, unknown>, sim: SimCore, query: Record<string, unknown>): string | undefined;
  handle(call: ApiCall): object | Promise<object>;
}

/** Component APIs repeat the component appid in the body; a mismatch is 40013 (41002 when absent). */
export function requireComponentAppId(call: ApiCall, field = 'component_appid'): void {
  const value = call.body[field];
  if (value === undefined || value === '') throw new WeChatApiError(41002, `${field} missing`);
  if (value !== call.sim.opts.componentAppId) throw new WeChatApiError(40013, `${field} mismatch`);
}

export function stringField(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  return typeof v === 'string' && v !== '' ? v : undefined;
}
