import { Injectable, Logger } from '@nestjs/common';
import {
  type ApiPathRule,
  type OfficialAccountApi,
  requiredPermissionSets,
  WeChatApiError,
  type WeChatApiPath,
  type WeChatForwardedReply,
  WeChatHttp,
} from '@app/wechat';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { AuthorizerTokensService } from '../authorizers/authorizer-tokens.service';
import type { TenantId } from '../tenants/tenant-id';
import { ApiGate } from './api-gate';
import { QuotaBlocksService } from './quota-blocks.service';
import { TenantCallLimiter } from './tenant-call-limiter';
import { ApiUnauthorizedError, PermissionSetMissingError, QuotaExceededError } from './tenant-calls.errors';

/**
 * Calls that belong together: one sync request's batches, one job chunk, one read-back. The gate
 * is asked once for all of them (by `admit`, or by the first call), the quota block is read from
 * this process's memory (the run's owner read the shared one when it began), and after a 61007
 * the granted sets are re-read from WeChat once, not once per call. Features may extend it with
 * their own state (blacklist's BatchRun does).
 */
export class TenantCallRun {
  private admission?: Promise<void>;
  private grantedSets?: Promise<number[]>;

  /** @internal TenantCalls only. */
  admitOnce(check: () => Promise<void>): Promise<void> {
    this.admission ??= check();
    return this.admission;
  }

  /** @internal TenantCalls only. */
  grantedSetsOnce(read: () => Promise<number[]>): Promise<number[]> {
    this.grantedSets ??= read();
    return this.grantedSets;
  }
}

/** A passthrough call as the caller sent it; `path` already passed the proxy's path table. */
export interface ForwardedRequest {
  method: 'GET' | 'POST';
  path: WeChatApiPath;
  /** The raw query string, without `?` (its access_token, if any, is replaced). */
  query: string;
  body?: Buffer;
  contentType?: string;
}

/** Reported once per forwarded call that reached WeChat, before any reaction (the proxy audits it). */
export interface ReachedWeChat {
  /** WeChat's errcode (0 for success), or null when no reply came (transport error). */
  errcode: number | null;
  durationMs: number;
}

/**
 * The one way a tenant's Official Account API call is made. A feature calling WeChat with a
 * tenant's authorizer token imports TenantCallsModule and writes
 *
 *     const ticket = await this.calls.call(tenantId, 'getticket', (token) => this.api.getticket(token));
 *
 * `api` is an OfficialAccountApi: a new API first gets its permission sets
 * (libs/wechat permissions/permission-sets.ts) and a path rule naming it (`api:` in
 * permissions/proxy-paths.ts), which the gate reads and the proxy shares (same gate, same quota
 * block); `fn` gets the token and makes the typed call. Each call goes, in order:
 * 1. the gate (ApiGate, from our own records, no WeChat call): TENANT_NOT_ACTIVE,
 *    ACCOUNT_NOT_VERIFIED or PERMISSION_SET_MISSING;
 * 2. the shared quota block: QUOTA_EXCEEDED while an earlier 45009 (on any instance) holds;
 * 3. the authorizer token (AuthorizerTokensService.callWithAccessToken), which itself reacts to
 *    `token-invalid` (refresh and retry once) and `revoked` (the authorization ends:
 *    TENANT_NOT_ACTIVE);
 * 4. the per-tenant limiter (calls in flight and rate, per process);
 * 5. `fn(token)`;
 * 6. the reaction to WeChat's error kind, written here only (call() | forward()):
 *    - `quota-daily`: blocks the API until the reset, QuotaExceededError (429) | the same;
 *    - `set-missing`: re-reads the granted sets (once per run), PermissionSetMissingError (403) |
 *      the same;
 *    - `api-unauthorized`: ApiUnauthorizedError (403) | WeChat's reply as it is;
 *    - `token-invalid`: the token service refreshed and retried once; still rejected, WeChat's
 *      error | WeChat's reply;
 *    - `revoked`: the token service ended the authorization, TenantNotActiveError | the same;
 *    - anything else: the library's error untouched, for the caller to name | WeChat's reply.
 *
 * Several calls of one unit of work share a TenantCallRun (gate once, sets re-read once), which
 * `admit` can open up front.
 *
 * `forward` is the passthrough sibling (the WeChat proxy): the rule comes from the library's path
 * table (or an extra path, which has no gate), WeChat's reply is returned rather than thrown, and
 * it is resent only where the table says the path is idempotent.
 */
@Injectable()
export class TenantCalls {
  private readonly logger = new Logger(TenantCalls.name);

  constructor(
    private readonly gate: ApiGate,
    private readonly quota: QuotaBlocksService,
    private readonly tokens: AuthorizerTokensService,
    private readonly limiter: TenantCallLimiter,
    private readonly http: WeChatHttp,
  ) {}

  /** Calls `api` with the tenant's token through every step above; with a run, as part of it. */
  async call<T>(
    tenantId: TenantId,
    api: OfficialAccountApi,
    fn: (accessToken: string) => Promise<T>,
    run?: TenantCallRun,
  ): Promise<T> {
    if (run) await run.admitOnce(() => this.gate.assertAllowed(tenantId, api));
    else await this.gate.assertAllowed(tenantId, api);
    const blocked = run ? this.quota.cachedBlockedUntil(tenantId, api) : await this.quota.blockedUntil(tenantId, api);
    if (blocked) throw new QuotaExceededError(api, blocked);
    try {
      return await this.tokens.callWithAccessToken(tenantId, (token) =>
        this.limiter.run(tenantId, () => {
          // Checked again once our turn comes: another call may have spent the quota while we queued.
          const spent = this.quota.cachedBlockedUntil(tenantId, api);
          if (spent) throw new QuotaExceededError(api, spent);
          return fn(token);
        }),
      );
    } catch (e) {
      if (!(e instanceof WeChatApiError)) throw e;
      switch (e.kind) {
        case 'quota-daily':
          throw new QuotaExceededError(api, await this.blockApi(tenantId, api));
        case 'set-missing': {
          const reread = () => this.gate.permissionSetsAfterRefusal(tenantId);
          const granted = await (run ? run.grantedSetsOnce(reread) : reread());
          throw new PermissionSetMissingError(requiredPermissionSets(api), granted);
        }
        case 'api-unauthorized':
          throw new ApiUnauthorizedError(api, e);
        default:
          throw e;
      }
    }
  }

  /**
   * Before a run (or a job) starts: the gate (its errors are thrown; a run's calls then skip it)
   * and the shared quota block, whose end is returned rather than thrown, because the callers plan
   * around it (a job pauses until then, a sync request answers QUOTA_EXCEEDED per openid).
   */
  async admit(tenantId: TenantId, api: OfficialAccountApi, run?: TenantCallRun): Promise<Date | undefined> {
    if (run) await run.admitOnce(() => this.gate.assertAllowed(tenantId, api));
    else await this.gate.assertAllowed(tenantId, api);
    return this.quota.blockedUntil(tenantId, api);
  }

  /**
   * A passthrough call: WeChat's reply as it is; gateway errors (gate, quota, token, transport)
   * are thrown. `onReached` hears of every call that reached WeChat, before its reaction.
   */
  async forward(
    tenantId: TenantId,
    rule: ApiPathRule,
    request: ForwardedRequest,
    onReached?: (call: ReachedWeChat) => Promise<void>,
  ): Promise<WeChatForwardedReply> {
    const path = request.path;
    // Extra paths have no gate; the token read below still refuses a tenant that is not active.
    if (rule.permissionSets.length > 0 || rule.verifiedOnly) await this.gate.assertReady(tenantId, rule, path);
    const quotaKey = quotaKeyOf(rule, path);
    const blocked = await this.quota.blockedUntil(tenantId, quotaKey);
    if (blocked) throw new QuotaExceededError(path, blocked);

    const forward = {
      method: request.method,
      path,
      query: request.query,
      body: request.method === 'POST' ? request.body : undefined,
      contentType: request.contentType,
      idempotent: request.method === 'GET' || rule.idempotent,
    };
    let last: WeChatForwardedReply | undefined;
    let durationMs = 0;
    let reply: WeChatForwardedReply;
    try {
      reply = await this.tokens.callWithAccessToken(tenantId, (token) =>
        this.limiter.run(tenantId, async () => {
          const started = performance.now();
          try {
            last = await this.http.forward(forward, token);
          } finally {
            durationMs += performance.now() - started;
          }
          // The token service reacts to these (refresh and retry once; end the authorization).
          if (last.error?.kind === 'token-invalid' || last.error?.kind === 'revoked') throw last.error;
          return last;
        }),
      );
    } catch (e) {
      // Still rejected after the one refresh: that is WeChat's answer, handed on as it is.
      if (e instanceof WeChatApiError && e.kind === 'token-invalid' && last?.error === e) {
        reply = last;
      } else {
        if (durationMs > 0) await onReached?.({ errcode: last?.errcode ?? null, durationMs });
        throw e;
      }
    }
    await onReached?.({ errcode: reply.errcode, durationMs });
    switch (reply.error?.kind) {
      case 'quota-daily':
        throw new QuotaExceededError(path, await this.blockApi(tenantId, quotaKey));
      case 'set-missing':
        throw new PermissionSetMissingError(rule.permissionSets, await this.gate.permissionSetsAfterRefusal(tenantId));
      default:
        // api-unauthorized included: a passthrough hands WeChat's refusal on verbatim.
        return reply;
    }
  }

  /** Housekeeping (the hourly maintenance): quota blocks that lifted more than a day ago. */
  deleteLapsedQuotaBlocks(): Promise<number> {
    return this.quota.deleteLapsed();
  }

  private async blockApi(tenantId: TenantId, quotaKey: string): Promise<Date> {
    const until = await this.quota.block(tenantId, quotaKey);
    this.logger.warn({ tenantId, api: quotaKey, until: until.toISOString() }, 'daily quota reached; calls stop until the reset');
    return until;
  }
}

/**
 * The quota block a path shares: a typed API's own name (so a proxied batchblacklist and the
 * blacklist routes stop together), else the path, shortened to the column's 64 characters.
 */
export function quotaKeyOf(rule: ApiPathRule, path: string): string {
  if (rule.api) return rule.api;
  if (path.length <= 64) return path;
  return `${path.slice(0, 47)}#${createHash('sha256').update(path).digest('hex').slice(0, 16)}`;
}
