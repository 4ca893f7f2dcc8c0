import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingHttpHeaders } from 'node:http';
import { GATEWAY_CONFIG, type GatewayConfig, operatorKeyName } from '../config/gateway-config';
import { ChangeNotices } from '../database/change-notices';
import { NoticedCache } from '../database/noticed-cache';
import { parseTenantId, type TenantId } from '../../tenants/tenant-id';
import { TenantNotFoundError } from '../../tenants/tenant.errors';
import { TenantsRepository } from '../../tenants/tenants.repository';
import { hashApiKey, sameKeyHash, TENANT_KEY_PREFIX, tenantKeyId, TOKEN_KEY_PREFIX } from './api-keys';
import { ForbiddenError, UnauthenticatedError } from './auth.errors';
import type { AnyCaller } from './caller';
import { FailedAuthLimiter } from './failed-auth-limiter';
import { ROUTE_ACCESS, type RequestWithCaller, type RouteAccess } from './decorators';
import { TokenKeysRepository } from './token-keys.repository';

const BEARER = /^Bearer\s+(\S{1,512})\s*$/i;
/** Per-process copies of key lookups live this long at most; any change to the tenant or its keys drops them at once. */
const KEY_CACHE_TTL_MS = 1_000;

/** A stored key a digest names: the tenant's own key or one of its token keys. */
type StoredKey =
  { kind: 'tenant'; tenantId: TenantId; keyHash: string } | { kind: 'token'; tenantId: TenantId; keyHash: string; id: string };
const AUTHENTICATED = new WeakMap<KeyedRequest, AnyCaller>();

/** What the guard reads of a request (the framework's request object). */
export interface KeyedRequest {
  /** The client address (the framework's, with its trust proxy setting). */
  ip?: string;
  socket?: { remoteAddress?: string };
  headers: IncomingHttpHeaders;
  params?: unknown;
}

/**
 * Global guard: resolves the caller from `Authorization: Bearer <key>` and enforces the route's
 * access. Order matters: no or unknown key → 401 before anything else; a tenant or token key on
 * an operator route → 403; a tenant route whose tenant the caller may not see → 404, the same
 * answer as for a tenant that does not exist, so ids of other tenants cannot be probed; on its
 * own tenant, a token key outside the token routes, or a tenant key on them → 403.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly operatorKeys: { hash: string; name: string }[];
  /** Key kind and digest → stored key, so a request makes no database round trip for its key (unknown keys are not kept). */
  private readonly storedKeys: NoticedCache<string, StoredKey | undefined>;
  private readonly liveTenants: NoticedCache<TenantId, boolean>;

  constructor(
    private readonly reflector: Reflector,
    private readonly tenants: TenantsRepository,
    private readonly tokenKeys: TokenKeysRepository,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly failedAuth: FailedAuthLimiter,
    notices: ChangeNotices,
  ) {
    this.operatorKeys = config.operatorApiKeys.map((k) => ({ hash: hashApiKey(k), name: operatorKeyName(config, k) }));
    this.storedKeys = new NoticedCache(notices, {
      tables: ['tenants', 'token_keys'],
      ttlMs: KEY_CACHE_TTL_MS,
      load: (kindAndHash) => this.lookUpKey(kindAndHash),
      tenantOf: (_kindAndHash, key) => key?.tenantId,
    });
    this.liveTenants = new NoticedCache(notices, {
      tables: ['tenants'],
      ttlMs: KEY_CACHE_TTL_MS,
      load: (tenantId) => this.tenants.isLive(tenantId),
      tenantOf: (tenantId) => tenantId,
    });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const declared =
      this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [context.getHandler(), context.getClass()]) ??
      'operator';
    if (declared === 'public') return true;

    const req = context.switchToHttp().getRequest<KeyedRequest & RequestWithCaller>();
    // An owner route is the operator's collection without a :tenantId and a tenant's with one.
    const ownerTenant = (req.params as { tenantId?: string } | undefined)?.tenantId;
    const access = declared !== 'owner' ? declared : ownerTenant === undefined ? 'operator' : 'tenant';
    const caller = await this.authenticate(req);

    if (access === 'operator' && caller.actor !== 'operator') throw new ForbiddenError();
    // Any route with a :tenantId gets it checked and normalised here, once; a malformed id is "no such tenant".
    const rawTenantId = (req.params as { tenantId?: string } | undefined)?.tenantId;
    const tenantId = rawTenantId === undefined ? undefined : parseTenantId(rawTenantId);
    if (rawTenantId !== undefined && !tenantId) throw new TenantNotFoundError();
    req.tenantId = tenantId;
    if (access === 'tenant' || access === 'token' || access === 'tenant_or_token') {
      if (!tenantId) throw new TenantNotFoundError();
      const refusal = await this.refusalOnTenant(access, caller, tenantId);
      if (refusal) throw refusal;
    }
    req.caller = caller;
    return true;
  }

  /**
   * Why `caller` may not use a tenant-scoped (or token) route of `tenantId`; undefined when it may.
   * Also asked before a large or raw body is read (platform/http/request-hooks.ts).
   */
  async refusalOnTenant(
    access: 'tenant' | 'token' | 'tenant_or_token',
    caller: AnyCaller,
    tenantId: TenantId,
  ): Promise<Error | undefined> {
    if (caller.actor === 'operator') return (await this.tenantIsLive(tenantId)) ? undefined : new TenantNotFoundError();
    // The key lookup already proved the caller's own tenant is live. Another tenant is "not
    // found" first; on its own tenant, a key of the other kind is refused.
    if (caller.tenantId !== tenantId) return new TenantNotFoundError();
    if (access === 'token' && caller.actor !== 'token_key') return new ForbiddenError('Tenant keys cannot read tokens.');
    if (access === 'tenant' && caller.actor !== 'tenant') return new ForbiddenError('Token keys may only read tokens.');
    return undefined;
  }

  /**
   * The caller of a keyed request, resolved once per request (the check before body parsing and
   * the guard share it): 401 without a valid key; 429 instead while the client address is over its
   * failed-authentication limit (FailedAuthLimiter). A valid key is served even then: the failures
   * are throttled, not the address, so one misconfigured worker behind a shared NAT address does
   * not shut out the rest (a 128-bit key cannot be guessed at any rate the limit lets through).
   */
  async authenticate(req: KeyedRequest): Promise<AnyCaller> {
    const known = AUTHENTICATED.get(req);
    if (known) return known;
    const match = BEARER.exec(req.headers.authorization ?? '');
    const caller = match ? await this.resolveCaller(match[1]) : undefined;
    if (!caller) {
      const address = req.ip ?? req.socket?.remoteAddress ?? 'unknown';
      // Over the limit: refused without counting, so the window is not extended.
      this.failedAuth.assertNotBlocked(address);
      // A request with no credential at all guesses nothing; only presented credentials count.
      if (req.headers.authorization !== undefined) this.failedAuth.recordFailure(address);
      throw new UnauthenticatedError();
    }
    AUTHENTICATED.set(req, caller);
    return caller;
  }

  private async resolveCaller(key: string): Promise<AnyCaller | undefined> {
    const hash = hashApiKey(key);
    // Every operator key is compared (no early exit), each in constant time.
    let operator: string | undefined;
    for (const k of this.operatorKeys) if (sameKeyHash(hash, k.hash)) operator = k.name;
    if (operator !== undefined) return { actor: 'operator', name: operator };
    if (!key.startsWith(TOKEN_KEY_PREFIX) && !key.startsWith(TENANT_KEY_PREFIX)) return undefined;
    // Looked up by digest (never by the key), then compared in constant time.
    const stored = await this.storedKeys.get(`${key.startsWith(TOKEN_KEY_PREFIX) ? 'token' : 'tenant'}:${hash}`);
    if (!stored || !sameKeyHash(hash, stored.keyHash)) return undefined;
    if (stored.kind === 'token') return { actor: 'token_key', tenantId: stored.tenantId, tokenKeyId: stored.id, name: stored.id };
    return { actor: 'tenant', tenantId: stored.tenantId, name: tenantKeyId(stored.keyHash) };
  }

  /** `kindAndHash`: "token:<digest>" or "tenant:<digest>" (the key's prefix says which table holds it). */
  private async lookUpKey(kindAndHash: string): Promise<StoredKey | undefined> {
    const [kind, hash] = kindAndHash.split(':');
    if (kind === 'token') {
      const tokenKey = await this.tokenKeys.findByKeyHash(hash);
      return tokenKey && { kind: 'token', tenantId: tokenKey.tenantId, keyHash: tokenKey.keyHash, id: tokenKey.id };
    }
    const tenant = await this.tenants.findByApiKeyHash(hash);
    return tenant && { kind: 'tenant', tenantId: tenant.id, keyHash: tenant.apiKeyHash };
  }

  private tenantIsLive(tenantId: TenantId): Promise<boolean> {
    return this.liveTenants.get(tenantId);
  }
}
