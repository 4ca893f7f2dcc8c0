import { Body, Controller, Get, Header, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiCreatedResponse, ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { requestIdOf } from '../logging/request-id';
import { Public, TenantScoped, CurrentTenant } from '../auth';
import type { TenantId } from '../tenants/tenant-id';
import { AuthorizationSessionsService } from './authorization-sessions.service';
import { type AuthorizationCallbackQuery, CallbackQuery } from './dto/authorization-callback.query';
import { AuthorizationSessionView, CreateAuthorizationSessionDto } from './dto/create-authorization-session.dto';
import { OnboardingService } from './onboarding.service';
import { localeFromParam, negotiateLocale } from './messages/locale';
import type { Page } from './pages';

// The token is in the path: only the origin may travel as Referer (WeChat checks the domain).
const PAGE_HEADERS = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'origin',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

/** Pages are for browsers; a client that asks for JSON (and not HTML) gets an error as the usual error JSON. */
function sendPage(req: Request, res: Response, page: Page): void {
  if (page.retryAfterSeconds !== undefined) res.set('Retry-After', String(page.retryAfterSeconds));
  if (page.error && req.accepts(['html', 'json']) === 'json') {
    const requestId = requestIdOf(req);
    res
      .status(page.status)
      .set('Cache-Control', 'no-store')
      .json({ error: { ...page.error, requestId } });
    return;
  }
  const locale = negotiateLocale(req.query.lang, req.get('accept-language'));
  res
    .status(page.status)
    .set(PAGE_HEADERS)
    .set({ 'Content-Language': locale, Vary: 'Accept-Language' })
    .type('html')
    .send(page.render(locale));
}

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
  create(@CurrentTenant() tenantId: TenantId, @Body() body: CreateAuthorizationSessionDto): Promise<AuthorizationSessionView> {
    return this.sessions.create(tenantId, body);
  }

  /** The merchant's page (public: the unguessable token in the path is the credential). */
  @Get('onboarding/:token')
  @Public()
  @UseGuards(ThrottlerGuard) // anonymous: every view may cost the component a WeChat call
  @ApiExcludeEndpoint()
  async page(@Param('token') token: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    sendPage(req, res, await this.onboarding.onboardingPage(token, localeFromParam(req.query.lang)));
  }

  /** Where WeChat's authorization page sends the browser back, with auth_code and expires_in. */
  @Get('wechat/authorization/callback')
  @Public()
  @UseGuards(ThrottlerGuard) // anonymous, with a public session id: each guess may cost an api_query_auth
  @ApiExcludeEndpoint()
  async callback(@CallbackQuery() query: AuthorizationCallbackQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    const answer = await this.onboarding.callback(query.session, query.auth_code);
    if ('redirect' in answer) {
      res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).redirect(302, answer.redirect);
    } else {
      sendPage(req, res, answer.page);
    }
  }
}
