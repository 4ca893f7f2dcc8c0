import { ValidationError } from '@app/common';

/** WeChat openids are 28 characters today; we accept what could plausibly be one and nothing that needs escaping. */
export const OPENID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const SYNC_MAX_OPENIDS = 1000;
export const JOB_MAX_OPENIDS = 1_000_000;
/** The error names at most this many bad items (and counts all of them). */
export const MAX_REPORTED = 100;

export type BlacklistAction = 'block' | 'unblock';
export const BLACKLIST_ACTIONS: readonly BlacklistAction[] = ['block', 'unblock'];

interface BadItem {
  index: number;
  value: unknown;
  reason: string;
}

/**
 * Checks `openids` without class-validator: a job may carry a million of them, and a plain
 * loop over a regex is what stays fast. Returns the distinct openids in first-seen order.
 * Throws VALIDATION_FAILED naming the bad items by index and value.
 */
export function validateOpenIds(value: unknown, max: number): string[] {
  if (!Array.isArray(value)) throw invalid([{ field: 'openids', messages: ['openids must be an array of openids'] }]);
  if (value.length < 1 || value.length > max) {
    throw invalid([{ field: 'openids', messages: [`openids must contain between 1 and ${max} items`] }], { count: value.length });
  }
  const bad: BadItem[] = [];
  let badCount = 0;
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v === 'string' && OPENID_PATTERN.test(v)) continue;
    badCount++;
    if (bad.length < MAX_REPORTED) {
      bad.push({
        index: i,
        value: typeof v === 'string' ? v.slice(0, 100) : v === null || typeof v !== 'object' ? v : '[object]',
        reason: typeof v !== 'string' ? 'must be a string' : 'must be 1-64 characters of A-Z, a-z, 0-9, _ or -',
      });
    }
  }
  if (badCount > 0) {
    throw invalid(
      bad.map((b) => ({ field: `openids[${b.index}]`, messages: [`openid ${b.reason}`] })),
      { invalidItems: bad, invalidCount: badCount },
    );
  }
  const distinct = new Set<string>(value as string[]);
  return distinct.size === value.length ? (value as string[]) : [...distinct];
}

/** Rejects properties a body may not carry (the global pipe's forbidNonWhitelisted, by hand). */
export function assertOnlyKeys(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid([{ field: 'body', messages: ['the body must be a JSON object'] }]);
  }
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length) throw invalid(extra.map((k) => ({ field: k, messages: [`property ${k} should not exist`] })));
  return body as Record<string, unknown>;
}

export function validateAction(value: unknown): BlacklistAction {
  if (typeof value === 'string' && (BLACKLIST_ACTIONS as readonly string[]).includes(value)) return value as BlacklistAction;
  throw invalid([{ field: 'action', messages: ['action must be one of: block, unblock'] }]);
}

function invalid(fields: { field: string; messages: string[] }[], extra: Record<string, unknown> = {}): ValidationError {
  return new ValidationError('The request is invalid.', { fields, ...extra });
}
