import { Inject, Injectable } from '@nestjs/common';
import { apiPathRule, type WeChatApiPath, type WeChatForwardedReply } from '@app/wechat';
import { AuditService } from '../audit/audit.service';
import type { Caller } from '../platform/auth';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { TenantCalls } from '../tenant-calls/tenant-calls.service';
import type { TenantId } from '../tenants/tenant-id';
import { ApiNotAllowedError } from './api-proxy.errors';

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
 * Any Official Account API for a tenant, with the blacklist routes' discipline: the path must be
 * in the library's path table (or WECHAT_PROXY_EXTRA_PATHS), then TenantCalls.forward does the
 * rest (gate, quota blocks, token, limiter, resends only where the table says a path is
 * idempotent), and every call that reached WeChat is one audit event.
 */
@Injectable()
export class WeChatProxyService {
  private readonly extraPaths: readonly string[];

  constructor(
    private readonly calls: TenantCalls,
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
    return this.calls.forward(tenantId, rule, { ...request, path }, ({ errcode, durationMs }) =>
      this.audit.record(tenantId, {
        actor: ctx.caller.actor,
        actorName: ctx.caller.name ?? null,
        action: 'wechat.call',
        total: 1,
        succeeded: errcode === 0 ? 1 : 0,
        invalid: 0,
        failed: errcode === 0 ? 0 : 1,
        requestId: ctx.requestId,
        details: { path, errcode, durationMs: Math.round(durationMs) },
      }),
    );
  }
}
