import { Inject, Injectable, Logger } from '@nestjs/common';
import { ComponentApi } from '@app/wechat';
import { Counter } from 'prom-client';
import { type SystemComponent, systemActor } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { ComponentTokenService } from '../component/component-token.service';
import { MetricsService } from '../platform/metrics/metrics.service';
import type { TenantId } from '../tenants/tenant-id';

/** api_get_authorizer_list's largest page. */
export const AUTHORIZER_LIST_PAGE = 500;

/** What changed a stored refresh token or binding, as audited and counted. */
export type RefreshTokenChange = 'refresh_token.recovered' | 'refresh_token.replaced' | 'authorizer.revoked';

/**
 * WeChat's own record of who has authorized us (component/api_get_authorizer_list, with each
 * authorization's current refresh token): the source of truth when ours is lost or out of date.
 * Concurrent readers in this process share one paging pass.
 */
@Injectable()
export class AuthorizerListService {
  private readonly logger = new Logger(AuthorizerListService.name);
  private scan?: Promise<Map<string, string>>;
  private readonly changes: Counter<'change'>;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly componentTokens: ComponentTokenService,
    private readonly api: ComponentApi,
    private readonly audit: AuditService,
    metrics: MetricsService,
  ) {
    this.changes = new Counter({
      name: 'authorizer_refresh_token_recoveries_total',
      help: "Refresh tokens recovered or replaced from WeChat's authorizer list, and authorizers found gone, by change",
      labelNames: ['change'] as const,
      registers: [metrics.registry],
    });
  }

  /** appid → refresh token for every current authorization, paging 500 at a time. */
  listed(): Promise<Map<string, string>> {
    this.scan ??= this.page().finally(() => (this.scan = undefined));
    return this.scan;
  }

  /** A pass of its own, started now (reconciliation must not join one begun before its snapshot). */
  freshList(): Promise<Map<string, string>> {
    return this.page();
  }

  /** Audit event plus metric for one change; the audit write is best-effort (the change itself is stored). */
  async record(tenantId: TenantId, change: RefreshTokenChange, by: SystemComponent): Promise<void> {
    this.changes.inc({ change });
    try {
      await this.audit.record(tenantId, { ...systemActor(by), action: change, total: 1, succeeded: 1, invalid: 0, failed: 0 });
    } catch (e) {
      this.logger.error({ tenantId, change, err: (e as Error).message }, 'could not audit a refresh token change');
    }
  }

  private async page(): Promise<Map<string, string>> {
    const listed = new Map<string, string>();
    for (let offset = 0; ; offset += AUTHORIZER_LIST_PAGE) {
      const reply = await this.componentTokens.call((ct) =>
        this.api.apiGetAuthorizerList(ct, {
          component_appid: this.config.wechat.componentAppId,
          offset,
          count: AUTHORIZER_LIST_PAGE,
        }),
      );
      for (const item of reply.list ?? []) listed.set(item.authorizer_appid, item.refresh_token);
      if (!reply.list?.length || offset + AUTHORIZER_LIST_PAGE >= reply.total_count) return listed;
    }
  }
}
