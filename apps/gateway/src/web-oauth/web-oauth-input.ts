import { ValidationError } from '@app/common';
import { randomBytes } from 'node:crypto';
import { ReturnUrlNotAllowedError } from './web-oauth.errors';
import type { WebOAuthScope } from './web-oauth.repository';

// The hosted flow's inputs and outputs: what a follower's browser brings (scope, state, returnUrl)
// and what the gateway puts in URLs (the nonce, the returnUrl's added parameters).

const MAX_CALLER_STATE_BYTES = 128;
export const WEB_OAUTH_SCOPES: readonly WebOAuthScope[] = ['snsapi_base', 'snsapi_userinfo'];
/** WeChat's documents allow only [A-Za-z0-9] in `state`. */
const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const NONCE_SHAPE = /^[A-Za-z0-9]{32}$/;
/** What the callback appends to the returnUrl's query. */
const APPENDED_PARAMS: ReadonlySet<string> = new Set(['wtg_ticket', 'state', 'error']);

export const invalid = (field: string, message: string) =>
  new ValidationError('The request is invalid.', { fields: [{ field, messages: [message] }] });

/** 32 letters and digits from a uniform source (rejection sampling: 62 does not divide 256). */
export function newNonce(): string {
  let out = '';
  while (out.length < 32) {
    for (const b of randomBytes(48)) if (b < 248 && out.length < 32) out += NONCE_ALPHABET[b % 62];
  }
  return out;
}

/** Appends query parameters to a URL, keeping its query and fragment exactly as they were. */
export function appendQuery(url: string, params: Record<string, string>): string {
  const hashAt = url.indexOf('#');
  const base = hashAt >= 0 ? url.slice(0, hashAt) : url;
  const hash = hashAt >= 0 ? url.slice(hashAt) : '';
  const qs = new URLSearchParams(params).toString();
  const sep = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${sep}${qs}${hash}`;
}

export function parseScope(raw: unknown, required: boolean): WebOAuthScope | undefined {
  if (raw === undefined && !required) return undefined;
  if (typeof raw !== 'string' || !(WEB_OAUTH_SCOPES as readonly string[]).includes(raw)) {
    throw invalid('scope', 'scope must be snsapi_base or snsapi_userinfo');
  }
  return raw as WebOAuthScope;
}

export function parseCallerState(raw: unknown): string | null {
  if (raw === undefined || raw === '') return null;
  if (typeof raw !== 'string') throw invalid('state', 'state must be a string');
  if (Buffer.byteLength(raw, 'utf8') > MAX_CALLER_STATE_BYTES) throw invalid('state', 'state must be at most 128 bytes');
  // eslint-disable-next-line no-control-regex -- control characters have no place in a URL parameter
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw invalid('state', 'state must not contain control characters');
  return raw;
}

/**
 * The returnUrl, parsed with WHATWG `URL` and returned normalised (what was checked is what the
 * browser is sent to): http(s) (https only in production), no credentials or backslashes, and an
 * origin the tenant allows.
 */
export function parseReturnUrl(raw: unknown, rules: { httpsOnly: boolean; allowed: (url: URL) => boolean }): string {
  if (typeof raw !== 'string' || raw === '') throw invalid('returnUrl', 'returnUrl is required');
  if (raw.length > 2048) throw invalid('returnUrl', 'returnUrl must be at most 2048 characters');
  if (raw.includes('\\')) throw invalid('returnUrl', 'returnUrl must not contain backslashes');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('returnUrl', 'returnUrl must be an absolute URL');
  }
  const httpsOnly = rules.httpsOnly;
  if (url.protocol !== 'https:' && (httpsOnly || url.protocol !== 'http:')) {
    throw invalid('returnUrl', httpsOnly ? 'returnUrl must be an https URL' : 'returnUrl must be an http(s) URL');
  }
  if (url.username || url.password) throw invalid('returnUrl', 'returnUrl must not contain credentials');
  // The callback appends these; one planted in the returnUrl would come first, and a page reading
  // the first value would redeem someone else's ticket. Compared without case: some servers ignore it.
  for (const name of url.searchParams.keys()) {
    if (APPENDED_PARAMS.has(name.toLowerCase()))
      throw invalid('returnUrl', `returnUrl must not carry ${name.toLowerCase()} (the gateway appends it)`);
  }
  if (!rules.allowed(url)) throw new ReturnUrlNotAllowedError();
  return url.href;
}
