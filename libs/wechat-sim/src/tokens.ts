import type { SimClock } from './clock';
import { newAccessToken } from './ids';

/** `user`: a follower's web-authorization token (sns/…), bound to one account and openid. */
export type TokenKind = 'component' | 'authorizer' | 'user';

export interface TokenRecord {
  value: string;
  kind: TokenKind;
  /** Component appid for component tokens, authorizer appid otherwise. */
  appId: string;
  issuedAt: number;
  expiresAt: number;
  /** Set when a newer token superseded this one: it then dies at this time (40001, not 42001). */
  cutoffAt?: number;
  /** User tokens: whose, and for which scope. */
  openid?: string;
  scope?: string;
}

export type TokenCheck = { ok: true; record: TokenRecord } | { ok: false; errcode: 40001 | 42001; record?: TokenRecord };

/** Access tokens of both kinds, looked up by value. */
export class TokenStore {
  private readonly byValue = new Map<string, TokenRecord>();

  constructor(private readonly clock: SimClock) {}

  /**
   * Issues a token. With graceSec, every live token of the same kind and account is cut off
   * graceSec from now (WeChat keeps the old component token alive only briefly); without it
   * older tokens live until their own expiry (authorizer tokens).
   */
  issue(
    kind: TokenKind,
    appId: string,
    ttlSec: number,
    graceSec?: number,
    user?: { openid: string; scope: string },
  ): TokenRecord {
    const now = this.clock.now();
    if (graceSec !== undefined) {
      for (const t of this.byValue.values()) {
        if (t.kind === kind && t.appId === appId && now < t.expiresAt) {
          t.cutoffAt = Math.min(t.cutoffAt ?? Infinity, now + graceSec * 1000);
        }
      }
    }
    const record: TokenRecord = { value: newAccessToken(), kind, appId, issuedAt: now, expiresAt: now + ttlSec * 1000, ...user };
    this.byValue.set(record.value, record);
    return record;
  }

  lookup(value: string | undefined): TokenRecord | undefined {
    return value ? this.byValue.get(value) : undefined;
  }

  check(value: string, kind: TokenKind): TokenCheck {
    const record = this.byValue.get(value);
    if (!record || record.kind !== kind) return { ok: false, errcode: 40001, record };
    const now = this.clock.now();
    // A superseded token is "not latest" (40001) even if it would also have expired by now.
    if (record.cutoffAt !== undefined && now >= record.cutoffAt) return { ok: false, errcode: 40001, record };
    if (now >= record.expiresAt) return { ok: false, errcode: 42001, record };
    return { ok: true, record };
  }

  /** Makes matching live tokens expire now; returns how many. */
  expire(filter: { kind?: TokenKind; appId?: string }): number {
    const now = this.clock.now();
    let n = 0;
    for (const t of this.byValue.values()) {
      if (filter.kind && t.kind !== filter.kind) continue;
      if (filter.appId && t.appId !== filter.appId) continue;
      if (now < t.expiresAt) {
        t.expiresAt = now;
        n++;
      }
    }
    return n;
  }

  clear(): void {
    this.byValue.clear();
  }
}
