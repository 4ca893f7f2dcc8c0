import { Controller, Get, Header, Inject, NotFoundException, Param, Query, UseFilters, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../platform/auth';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { parseTenantId } from '../tenants/tenant-id';
import { TenantNotFoundError } from '../tenants/tenant.errors';
import { WebOAuthPageFilter } from './web-oauth-page.filter';
import { webOAuthDemoPage } from './web-oauth-pages';
import { WebOAuthService } from './web-oauth.service';

export const DEMO_PATH = '/sandbox/web-oauth-demo';

/**
 * Sandbox only: a merchant's H5 page stand-in, the returnUrl of the banner's web-authorization
 * link. It redeems the ticket as a provider's server would and shows who the follower is.
 * Production answers 404 (a public page that redeems tickets has no place there).
 */
@ApiExcludeController()
@Controller()
export class WebOAuthDemoController {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly webOAuth: WebOAuthService,
  ) {}

  @Get(`${DEMO_PATH.slice(1)}/:tenantId`)
  @Public()
  @UseGuards(ThrottlerGuard) // anonymous: each view with a ticket is a redemption
  @UseFilters(WebOAuthPageFilter)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  async page(@Param('tenantId') raw: string, @Query() query: Record<string, unknown>): Promise<string> {
    if (this.config.mode !== 'sandbox') throw new NotFoundException();
    const tenantId = parseTenantId(raw);
    if (!tenantId) throw new TenantNotFoundError();
    const here = `${this.config.publicBaseUrl}${DEMO_PATH}/${tenantId}`;
    const link = (scope: string) =>
      `${this.config.publicBaseUrl}/web-oauth/${tenantId}/authorize?scope=${scope}&returnUrl=${encodeURIComponent(here)}&state=demo`;
    const links = { base: link('snsapi_base'), userinfo: link('snsapi_userinfo') };
    if (typeof query.wtg_ticket === 'string') {
      return webOAuthDemoPage({ links, result: await this.webOAuth.redeem(tenantId, query.wtg_ticket) });
    }
    return webOAuthDemoPage({ links, refused: query.error === 'access_denied' });
  }
}
