import { Body, Controller, Get, Header, HttpCode, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiCreatedResponse, ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerActor } from '../audit/audit-actor';
import { type Caller, CurrentCaller, CurrentTenant, Public, TenantScoped } from '../auth';
import type { TenantId } from '../tenants/tenant-id';
import { AuthorizationSessionsService } from './authorization-sessions.service';
import { type AuthorizationCallbackQuery, CallbackQuery } from './dto/authorization-callback.query';
import { AuthorizationSessionView, CreateAuthorizationSessionDto } from './dto/create-authorization-session.dto';
import { OnboardingService } from './onboarding.service';
import { localeFromParam } from './messages/locale';
import { MerchantPageErrorFilter } from './merchant-page-error.filter';
import { sendPage } from './send-page';

@ApiTags('onboarding')
@Controller()
export class OnboardingController {
  constructor(
    private readonly sessions: AuthorizationSessionsService,
    private readonly onboarding: OnboardingService,
  ) {}

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

  /** The merchant's page (public: the unguessable token in the path is the credential). */
  @Get('onboarding/:token')
  @Public()
  @UseGuards(ThrottlerGuard) // anonymous: every view may cost the component a WeChat call
  @UseFilters(MerchantPageErrorFilter)
  @ApiExcludeEndpoint()
  async page(@Param('token') token: string, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    sendPage(req, res, await this.onboarding.onboardingPage(token, localeFromParam((req.query as { lang?: unknown }).lang)));
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
      sendPage(req, res, answer.page);
    }
  }
}
