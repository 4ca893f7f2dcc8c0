import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import {
  ApiCreatedResponse,
  ApiExcludeEndpoint,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerActor } from '../audit/audit-actor';
import { type Caller, CurrentCaller, CurrentTenant, Public, TenantScoped } from '../platform/auth';
import type { TenantId } from '../tenants/tenant-id';
import { AuthorizationSessionsService } from './authorization-sessions.service';
import { type AuthorizationCallbackQuery, CallbackQuery } from './dto/authorization-callback.query';
import {
  AuthorizationSessionListView,
  AuthorizationSessionView,
  CreateAuthorizationSessionDto,
  ListAuthorizationSessionsQuery,
} from './dto/create-authorization-session.dto';
import { OnboardingService } from './onboarding.service';
import { localeFromParam } from './messages/locale';
import { MerchantPageErrorFilter } from './merchant-page-error.filter';
import { sendPage } from './send-page';
import { BRAND_LOGO_TYPES } from '../platform/config/environment';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { pageBrand } from './brand';
import type { Brand } from './pages';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';

@ApiTags('onboarding')
@Controller()
export class OnboardingController {
  private readonly brand: Brand | undefined;

  constructor(
    private readonly sessions: AuthorizationSessionsService,
    private readonly onboarding: OnboardingService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.brand = pageBrand(config);
  }

  @Post('v1/tenants/:tenantId/authorization-sessions')
  @Header('Cache-Control', 'no-store') // the reply carries a secret, shown once: no cache keeps it
  @TenantScoped()
  @HttpCode(201)
  @ApiOperation({ summary: 'Start onboarding: a 24 h link to send the merchant to' })
  @ApiCreatedResponse({ type: AuthorizationSessionView })
  create(
    @CurrentTenant() tenantId: TenantId,
    @CurrentCaller() caller: Caller,
    @Body() body: CreateAuthorizationSessionDto,
  ): Promise<AuthorizationSessionView> {
    return this.sessions.create(tenantId, body, callerActor(caller));
  }

  @Get('v1/tenants/:tenantId/authorization-sessions')
  @TenantScoped()
  @ApiOperation({ summary: 'The tenant’s open onboarding sessions, newest first (their links are not shown again)' })
  @ApiOkResponse({ type: AuthorizationSessionListView })
  async list(
    @CurrentTenant() tenantId: TenantId,
    // Only `open` today; validated so a later status is an addition, not a change of meaning.
    @Query() _query: ListAuthorizationSessionsQuery,
  ): Promise<AuthorizationSessionListView> {
    return { items: await this.sessions.listOpen(tenantId) };
  }

  @Delete('v1/tenants/:tenantId/authorization-sessions/:sessionId')
  @TenantScoped()
  @HttpCode(204)
  @ApiOperation({ summary: 'Close an onboarding session: its link then answers 410 (closing a closed one succeeds)' })
  @ApiNoContentResponse()
  async close(
    @CurrentTenant() tenantId: TenantId,
    @CurrentCaller() caller: Caller,
    @Param('sessionId') sessionId: string,
  ): Promise<void> {
    await this.sessions.close(tenantId, sessionId, callerActor(caller));
  }

  /** The merchant's page (public: the unguessable token in the path is the credential). */
  @Get('onboarding/:token')
  @Public()
  @UseGuards(ThrottlerGuard) // anonymous: every view may cost the component a WeChat call
  @UseFilters(MerchantPageErrorFilter)
  @ApiExcludeEndpoint()
  async page(@Param('token') token: string, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const lang = localeFromParam((req.query as { lang?: unknown }).lang);
    sendPage(req, res, await this.onboarding.onboardingPage(token, lang), this.brand);
  }

  /** The provider's logo when BRAND_LOGO_URL names a file under the data directory (checked at start). */
  @Get('onboarding-assets/brand-logo.:ext')
  @Public()
  @UseGuards(ThrottlerGuard) // anonymous: each view reads a file
  @ApiExcludeEndpoint()
  brandLogo(@Param('ext') ext: string, @Res() res: FastifyReply): void {
    const file = this.config.brand?.logoFile;
    const wanted = `.${ext.toLowerCase()}`;
    const type = file && extname(file).toLowerCase() === wanted ? BRAND_LOGO_TYPES.get(wanted) : undefined;
    if (!file || !type) throw new NotFoundException();
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      throw new NotFoundException(); // removed since the start
    }
    // An SVG opened directly must not run script on the gateway's origin.
    res
      .headers({
        'Cache-Control': 'public, max-age=3600',
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'",
      })
      .type(type)
      .send(body);
  }

  /** Where WeChat's authorization page sends the browser back, with auth_code and expires_in. */
  @Get('wechat/authorization/callback')
  @Public()
  @UseGuards(ThrottlerGuard) // anonymous, with a public session id: each guess may cost an api_query_auth
  @UseFilters(MerchantPageErrorFilter)
  @ApiExcludeEndpoint()
  async callback(
    @CallbackQuery() query: AuthorizationCallbackQuery,
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
  ): Promise<void> {
    const answer = await this.onboarding.callback(query.session, query.auth_code);
    if ('redirect' in answer) {
      res.headers({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).redirect(answer.redirect, 302);
    } else {
      sendPage(req, res, answer.page, this.brand);
    }
  }
}
