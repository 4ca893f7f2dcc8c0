import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { AnyCaller } from '../platform/auth';
import { AuthorizerTokensService } from '../authorizers/authorizer-tokens.service';
import { ComponentTokenService } from '../component/component-token.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import type { TenantId } from '../tenants/tenant-id';
import type { AuthorizerTokenView, ComponentTokenView } from './dto/token-handout.dto';

/**
 * Hands tokens to the provider's own services, so they stop refreshing (and invalidating) tokens
 * of their own: the gateway stays the one place that refreshes. Every authorizer token read is
 * audited (who, never the token).
 */
@Injectable()
export class TokenHandoutService {
  private readonly logger = new Logger(TokenHandoutService.name);

  constructor(
    private readonly authorizerTokens: AuthorizerTokensService,
    private readonly componentTokens: ComponentTokenService,
    private readonly audit: AuditService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** `rejected`: the token WeChat refused, from POST …/invalidations. */
  async authorizerToken(
    tenantId: TenantId,
    ctx: { caller: AnyCaller; requestId: string },
    rejected?: string,
  ): Promise<AuthorizerTokenView> {
    const token = await this.authorizerTokens.handOut(tenantId, rejected);
    await this.audit.record(tenantId, {
      actor: ctx.caller.actor,
      actorName: ctx.caller.name ?? null,
      action: 'authorizer_token.read',
      total: 1,
      succeeded: 1,
      invalid: 0,
      failed: 0,
      requestId: ctx.requestId,
      details: {
        trigger: rejected === undefined ? 'read' : 'invalidation',
        ...(ctx.caller.actor === 'token_key' ? { tokenKeyId: ctx.caller.tokenKeyId } : {}),
      },
    });
    return { appId: token.appId, accessToken: token.accessToken, expiresAt: token.expiresAt.toISOString() };
  }

  async componentToken(requestId: string, rejected?: string): Promise<ComponentTokenView> {
    const token = await this.componentTokens.handOut(rejected);
    // The audit trail is per tenant; the component token's reads go to the log (never the token).
    this.logger.log({ requestId, invalidation: rejected !== undefined }, 'component token handed out');
    return {
      componentAppId: this.config.wechat.componentAppId,
      accessToken: token.token,
      expiresAt: token.expiresAt.toISOString(),
    };
  }
}
