import { Inject, Injectable } from '@nestjs/common';
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { hashApiKey, sameKeyHash } from '../platform/auth/api-keys';
import { GATEWAY_CONFIG, type GatewayConfig, operatorKeyName } from '../platform/config/gateway-config';

export const CONSOLE_COOKIE = 'wtg_console';
export const CONSOLE_SESSION_SECONDS = 8 * 3600;

export interface ConsoleSession {
  expiresAt: Date;
  /** The token every console form carries: a cross-site page can neither read nor forge it. */
  csrfToken: string;
  /** The name of the operator key the session was opened with (the audit trail's `console:<name>`). */
  operatorName: string;
}

const b64 = (b: Buffer) => b.toString('base64url');

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Stateless console sessions, so any instance serves any operator: the cookie is
 * `v1.<expiry>.<key id>.<HMAC>` with an HMAC key derived from SECRETS_ENCRYPTION_KEY (HKDF, its own
 * label, so it never equals the cipher key). The key id is a prefix of the operator key's hash: a
 * key removed from OPERATOR_API_KEYS ends its sessions. Logout clears the cookie; a copied cookie
 * stays valid until it expires (8 h), which is the price of holding no state.
 */
@Injectable()
export class ConsoleSessions {
  private readonly key: Buffer;
  private readonly operatorKeys: { hash: string; name: string }[];

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.key = Buffer.from(hkdfSync('sha256', config.secretsKey, 'wechat-tenant-gateway', 'console-session-v1', 32));
    this.operatorKeys = config.operatorApiKeys.map((k) => ({ hash: hashApiKey(k), name: operatorKeyName(config, k) }));
  }

  /** A cookie value for a correct operator key, or undefined. */
  signIn(operatorKey: string, now = Date.now()): string | undefined {
    const hash = hashApiKey(operatorKey);
    if (!this.operatorKeys.some((k) => sameKeyHash(k.hash, hash))) return undefined;
    const body = `v1.${Math.floor(now / 1000) + CONSOLE_SESSION_SECONDS}.${hash.slice(0, 16)}`;
    return `${body}.${this.mac(body)}`;
  }

  verify(cookie: string | undefined, now = Date.now()): ConsoleSession | undefined {
    if (!cookie || cookie.length > 200) return undefined;
    const parts = cookie.split('.');
    if (parts.length !== 4 || parts[0] !== 'v1') return undefined;
    const body = parts.slice(0, 3).join('.');
    if (!sameText(parts[3], this.mac(body))) return undefined;
    const exp = Number(parts[1]);
    if (!Number.isInteger(exp) || exp * 1000 <= now) return undefined;
    const key = this.operatorKeys.find((k) => k.hash.startsWith(parts[2]));
    if (!key) return undefined;
    return { expiresAt: new Date(exp * 1000), csrfToken: this.mac(`csrf.${cookie}`), operatorName: key.name };
  }

  csrfValid(session: ConsoleSession, token: unknown): boolean {
    return typeof token === 'string' && sameText(token, session.csrfToken);
  }

  private mac(text: string): string {
    return b64(createHmac('sha256', this.key).update(text).digest());
  }
}
