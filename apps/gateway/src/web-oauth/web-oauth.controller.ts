import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Redirect, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { callerActor } from '../audit/audit-actor';
import { type Caller, CurrentCaller, CurrentTenant, Public, TenantScoped } from '../platform/auth';
import { parseTenantId, type TenantId } from '../tenants/tenant-id';
import { ExchangeWebOAuthCodeDto, RedeemWebOAuthTicketDto, WebOAuthResultView } from './dto/web-oauth.dto';
import { WebOAuthPageFilter } from './web-oauth-page.filter';
import { WebOAuthService } from './web-oauth.service';

/**
 * Web authorization on behalf of the tenant's Official Account. The two public routes are links
 * a follower's browser follows (answers are redirects, refusals are pages); the keyed routes
 * hand the provider's server who the follower is. No framework request or response objects:
 * return values and decorators only.
 */
@ApiTags('web-oauth')
@Controller()
export class WebOAuthController {
  constructor(private readonly webOAuth: WebOAuthService) {}

  @Get('web-oauth/:tenantId/authorize')
  @Public()
  @UseGuards(ThrottlerGuard) // anonymous: each view writes a state row
  @UseFilters(WebOAuthPageFilter)
  @Redirect()
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer')
  @ApiExcludeEndpoint()
  async authorize(
    @Param('tenantId') tenantId: string,
    @Query() query: Record<string, unknown>,
  ): Promise<{ url: string; statusCode: number }> {
    return { url: await this.webOAuth.authorize(parseTenantId(tenantId), query), statusCode: 302 };
  }

  /** Where WeChat sends the follower back (code, state, appid; state alone when they refused). */
  @Get('web-oauth/callback')
  @Public()
  @UseGuards(ThrottlerGuard) // anonymous: a guessed state may cost a WeChat call
  @UseFilters(WebOAuthPageFilter)
  @Redirect()
  @Header('Cache-Control', 'no-store')
  @Header('Referrer-Policy', 'no-referrer') // the code in this URL must not travel on as a Referer
  @ApiExcludeEndpoint()
  async callback(@Query() query: Record<string, unknown>): Promise<{ url: string; statusCode: number }> {
    return { url: await this.webOAuth.callback(query), statusCode: 302 };
  }

  @Post('v1/tenants/:tenantId/web-oauth/redemptions')
  @TenantScoped()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Redeem the wtg_ticket your returnUrl received: who the follower is (single use, 60 s; 410 otherwise)',
  })
  @ApiOkResponse({ type: WebOAuthResultView })
  redeem(@CurrentTenant() tenantId: TenantId, @Body() body: RedeemWebOAuthTicketDto): Promise<WebOAuthResultView> {
    return this.webOAuth.redeem(tenantId, body.ticket);
  }

  @Post('v1/tenants/:tenantId/web-oauth/exchanges')
  @TenantScoped()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Exchange a web-authorization code your own callback received (with the component token) for the follower',
  })
  @ApiOkResponse({ type: WebOAuthResultView })
  exchange(
    @CurrentTenant() tenantId: TenantId,
    @CurrentCaller() caller: Caller,
    @Body() body: ExchangeWebOAuthCodeDto,
  ): Promise<WebOAuthResultView> {
    return this.webOAuth.exchange(tenantId, callerActor(caller), body);
  }
}
