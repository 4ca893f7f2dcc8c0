import { Inject, Injectable } from '@nestjs/common';
import {
  apiPathRule,
  type ApiPathRule,
  WeChatApiError,
  type WeChatApiPath,
  type WeChatForwardedReply,
  WeChatHttp,
} from '@app/wechat';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { AuditService } from '../audit/audit.service';
import type { Caller } from '../auth';
import { AuthorizerTokensService } from '../authorizers/authorizer-tokens.service';
import { BlacklistGate } from '../blacklist/blacklist-gate.service';
import { PermissionSetMissingError, QuotaExceededError } from '../blacklist/blacklist.errors';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import type { TenantId } from '../tenants/tenant-id';
import { QuotaBlocksService } from '../wechat-call-budget/quota-blocks.service';
import { TenantCallLimiter } from '../wechat-call-budget/tenant-call-limiter';
import { ApiNotAllowedError } from './wechat-proxy.errors';

export interface ProxiedRequest {
  method: 'GET' | 'POST';
  /** As the caller wrote it after `/wechat/`: checked against the table before anything else. */
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  body?: Buffer;
  contentType?: string;
}

/**
 * Any Official Account API for a tenant, with the blacklist routes' discipline: the permission
 * gate from the library's path table (no WeChat call when refused), the shared per-tenant limiter
 * and quota blocks, the token service (refresh once on 40001/40014/42001, 61023/61003 end the
 * authorization), resends only where the table says a path is idempotent, and one audit event
 * per call that reached WeChat.
 */
@Injectable()
export class WeChatProxyService {
  private readonly extraPaths: readonly string[];

  constructor(
    private readonly http: WeChatHttp,
    private readonly tokens: AuthorizerTokensService,
    private readonly gate: BlacklistGate,
    private readonly limiter: TenantCallLimiter,
    private readonly quota: QuotaBlocksService,
    private readonly audit: AuditService,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.extraPaths = config.wechatProxy?.extraPaths ?? [];
  }

  /** WeChat's reply as it is; gateway errors (gate, quota, token, transport) are thrown. */
  async call(
    tenantId: TenantId,
    request: ProxiedRequest,
    ctx: { caller: Caller; requestId: string },
  ): Promise<WeChatForwardedReply> {
    const rule = apiPathRule(request.path, this.extraPaths);
    if (!rule) throw new ApiNotAllowedError(request.path);
    const path = request.path as WeChatApiPath;
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
    const record = (errcode: number | null) =>
      this.audit.record(tenantId, {
        actor: ctx.caller.actor,
        action: 'wechat.call',
        total: 1,
        succeeded: errcode === 0 ? 1 : 0,
        invalid: 0,
        failed: errcode === 0 ? 0 : 1,
        requestId: ctx.requestId,
        details: { path, errcode, durationMs: Math.round(durationMs) },
      });

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
        if (durationMs > 0) await record(last?.errcode ?? null);
        throw e;
      }
    }
    await record(reply.errcode);
    switch (reply.error?.kind) {
      case 'quota-daily':
        throw new QuotaExceededError(path, await this.quota.block(tenantId, quotaKey));
      case 'set-missing':
        throw new PermissionSetMissingError(rule.permissionSets, await this.gate.permissionSetsAfterRefusal(tenantId));
      default:
        return reply;
    }
  }
}

/**
 * The quota block a path shares: a typed API's own name (so a proxied batchblacklist and the
 * blacklist routes stop together), else the path, shortened to the column's 64 characters.
 */
function quotaKeyOf(rule: ApiPathRule, path: string): string {
  if (rule.api) return rule.api;
  if (path.length <= 64) return path;
  return `${path.slice(0, 47)}#${createHash('sha256').update(path).digest('hex').slice(0, 16)}`;
}
