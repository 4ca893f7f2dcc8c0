// Over 300 lines: every console route in one controller, so the one guard, the one error filter and
// the page helpers (language, zone, CSP nonce) apply alike; each handler is a few lines over a service.
import { Controller, Get, Inject, Param, Post, Req, Res, UseFilters, UseGuards, Query } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiExcludeController } from '@nestjs/swagger';
import { ValidationError } from '@app/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Public } from '../platform/auth';
import { consoleActor } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { JobNotFoundError } from '../blacklist-jobs/blacklist-jobs.errors';
import { BlacklistJobsService } from '../blacklist-jobs/blacklist-jobs.service';
import { ComponentCallBudget } from '../component/component-call-budget';
import { ComponentTokenService } from '../component/component-token.service';
import { ticketStaleAfterSeconds } from '../component/ticket-watch.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { AuthorizationSessionsService, MAX_OPEN_SESSIONS } from '../onboarding/authorization-sessions.service';
import { TooManySessionsError } from '../onboarding/onboarding.errors';
import { ERROR_STATUS } from '../platform/errors/error-status';
import { TenantNotFoundError } from '../tenants/tenant.errors';
import { TENANT_STATUSES } from '../tenants/tenant.entity';
import { parseTenantId, type TenantId } from '../tenants/tenant-id';
import { CONTROL_CHARACTER } from '../platform/validation/no-control-characters';
import { UuidParamPipe } from '../platform/validation/uuid-param.pipe';
import { BLACKLIST_JOBS_BODY_LIMIT, RouteBody } from '../platform/http/route-body';
import { requestIdOf } from '../platform/logging/request-id';
import { StreamedJobBody } from '../blacklist-jobs/streamed-job-body';
import { WebhookEndpointsService } from '../webhooks/webhook-endpoints.service';
import { WebhookEventNotFoundError } from '../webhooks/webhooks.errors';
import type { Readable } from 'node:stream';
import { readForm, sameOrigin } from './console-form';
import { consoleLocale, redirect, sendConsoleJson, sendConsolePage } from './console-http';
import { CONSOLE_MESSAGES } from './console-messages';
import { ConsoleErrorFilter } from './console-error.filter';
import {
  auditRows,
  jobPercent,
  jobRows,
  OPEN_JOB_STATUSES,
  loginPage,
  overviewPage,
  type PageContext,
  tenantPage,
  tenantsPage,
} from './console-pages';
import { ConsoleOperator, CurrentConsoleSession } from './console-session.guard';
import { CONSOLE_COOKIE, CONSOLE_SESSION_SECONDS, type ConsoleSession, ConsoleSessions } from './console-sessions';
import { ConsoleRepository } from './console.repository';
import { WeChatCallCounts } from '../platform/wechat-clients/wechat-call-counts';
import { callsChart } from './calls-chart';

const PAGE_SIZE = 25;

/** Chart.js, served from its npm package (no CDN: the console must work where one is out of reach); read once, when first asked for. */
let chartJs: Buffer | undefined;
const loadChartJs = () => (chartJs ??= readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js')));

/**
 * The operator console: server-rendered pages over the same services as the API (no build step).
 * ConsoleSessionGuard (@ConsoleOperator) checks the session, and on POSTs the origin and CSRF
 * token; ConsoleErrorFilter turns every error into a page with the status of platform/errors/error-status.ts.
 */
@ApiExcludeController()
@Public() // the console's own session cookie is checked by ConsoleSessionGuard, not the API key guard
@UseFilters(ConsoleErrorFilter)
@Controller('console')
export class ConsoleController {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly sessions: ConsoleSessions,
    private readonly repository: ConsoleRepository,
    private readonly component: ComponentTokenService,
    private readonly budget: ComponentCallBudget,
    private readonly audit: AuditService,
    private readonly jobs: BlacklistJobsService,
    private readonly onboarding: AuthorizationSessionsService,
    private readonly calls: WeChatCallCounts,
    private readonly webhooks: WebhookEndpointsService,
  ) {}

  @Get('assets/chart.umd.min.js')
  chartJs(@Res() res: FastifyReply): void {
    res
      .status(200)
      .headers({ 'Cache-Control': 'public, max-age=86400', 'X-Content-Type-Options': 'nosniff' })
      .type('application/javascript; charset=utf-8')
      .send(loadChartJs());
  }

  @Get('login')
  loginForm(@Req() req: FastifyRequest, @Res() res: FastifyReply): void {
    if (this.sessions.verify(req.cookies[CONSOLE_COOKIE])) return redirect(res, '/console');
    this.page(req, res, 200, (c) => loginPage(c));
  }

  @Post('login')
  @UseGuards(ThrottlerGuard) // a key guess costs nothing to make: rate-limit them per address
  async login(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const t = CONSOLE_MESSAGES[consoleLocale(req)].login;
    if (!sameOrigin(req, this.config.publicBaseUrl)) return this.page(req, res, 403, (c) => loginPage(c, t.crossSite));
    const cookie = this.sessions.signIn(readForm(req).get('key')?.trim() ?? '');
    if (!cookie) return this.page(req, res, 401, (c) => loginPage(c, t.wrongKey));
    await this.audit.recordChange(null, consoleActor(this.sessions.verify(cookie)!.operatorName), 'console.signed_in');
    res.setCookie(CONSOLE_COOKIE, cookie, this.cookieOptions(CONSOLE_SESSION_SECONDS));
    redirect(res, '/console');
  }

  @Post('logout')
  @ConsoleOperator()
  logout(@Res() res: FastifyReply): void {
    res.clearCookie(CONSOLE_COOKIE, this.cookieOptions());
    redirect(res, '/console/login');
  }

  @Get()
  @ConsoleOperator()
  async overview(
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
    @CurrentConsoleSession() session: ConsoleSession,
  ): Promise<void> {
    const [s, budget, counts, calls] = await Promise.all([
      this.component.status(),
      this.budget.status(),
      this.repository.overview(),
      this.calls.lastDay(),
    ]);
    const locale = consoleLocale(req);
    const timeZone = this.config.consoleTimeZone ?? 'Asia/Shanghai';
    const age = s.ticketReceivedAt ? Math.max(0, Math.floor((Date.now() - s.ticketReceivedAt.getTime()) / 1000)) : null;
    this.page(
      req,
      res,
      200,
      (c) =>
        overviewPage(c, {
          componentAppId: this.config.wechat.componentAppId,
          mode: this.config.mode,
          ticketReceivedAt: s.ticketReceivedAt,
          ticketStale: age === null || age > ticketStaleAfterSeconds(this.config),
          tokenExpiresAt: s.componentTokenExpiresAt,
          budget: budget.apis.map((b) => ({ api: b.api, used: b.callsToday, limit: b.dailyBudget })),
          counts,
          statuses: TENANT_STATUSES,
          calls: callsChart(calls, new Date(), timeZone, CONSOLE_MESSAGES[locale].overview.outcomes),
        }),
      session,
    );
  }

  @Get('tenants')
  @ConsoleOperator()
  async tenants(
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
    @CurrentConsoleSession() session: ConsoleSession,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    const q = typeof query.q === 'string' ? query.q.trim().slice(0, 200) : '';
    // NUL cannot reach PostgreSQL text; no control character belongs in a search.
    if (CONTROL_CHARACTER.test(q)) throw new ValidationError('The search must not contain control characters.');
    const status =
      typeof query.status === 'string' && (TENANT_STATUSES as readonly string[]).includes(query.status) ? query.status : '';
    const page = Math.min(Math.max(1, Math.floor(Number(query.page)) || 1), 10_000);
    const rows = await this.repository.searchTenants({
      q: q || undefined,
      status: status || undefined,
      offset: (page - 1) * PAGE_SIZE,
      limit: PAGE_SIZE + 1,
    });
    this.page(
      req,
      res,
      200,
      (c) =>
        tenantsPage(c, {
          rows: rows.slice(0, PAGE_SIZE),
          q,
          status,
          page,
          hasNext: rows.length > PAGE_SIZE,
          statuses: TENANT_STATUSES,
        }),
      session,
    );
  }

  @Get('tenants/:tenantId')
  @ConsoleOperator()
  async tenant(
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
    @CurrentConsoleSession() session: ConsoleSession,
    @Param('tenantId') raw: string,
  ): Promise<void> {
    await this.renderTenant(req, res, session, this.tenantId(raw), {});
  }

  /** What the tenant page polls: its job and audit rows, rendered here in the page's language and zone. */
  @Get('tenants/:tenantId/live.json')
  @ConsoleOperator()
  async live(
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
    @CurrentConsoleSession() session: ConsoleSession,
    @Param('tenantId') raw: string,
  ): Promise<void> {
    const tenantId = await this.existingTenant(raw);
    const [jobs, audit] = await Promise.all([this.repository.recentJobs(tenantId), this.audit.list(tenantId, undefined, 20)]);
    const c = this.context(req, session, '');
    sendConsoleJson(res, 200, { jobRows: jobRows(c, tenantId, jobs), auditRows: auditRows(c, audit.items) });
  }

  /** The jobs alone, for scripts that watch progress: ids, counts, percent handled, whether finished. */
  @Get('tenants/:tenantId/jobs.json')
  @ConsoleOperator()
  async jobsJson(@Res() res: FastifyReply, @Param('tenantId') raw: string): Promise<void> {
    const jobs = await this.repository.recentJobs(await this.existingTenant(raw));
    sendConsoleJson(res, 200, {
      jobs: jobs.map((j) => ({
        id: j.id,
        status: j.status,
        total: j.total,
        processed: j.processed,
        percent: jobPercent(j),
        done: !OPEN_JOB_STATUSES.includes(j.status),
      })),
    });
  }

  @Post('tenants/:tenantId/onboarding-links')
  @ConsoleOperator()
  async newOnboardingLink(
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
    @CurrentConsoleSession() session: ConsoleSession,
    @Param('tenantId') raw: string,
  ): Promise<void> {
    const tenantId = this.tenantId(raw);
    try {
      const link = await this.onboarding.create(tenantId, {}, consoleActor(session.operatorName));
      await this.renderTenant(req, res, session, tenantId, { onboardingUrl: link.onboardingUrl });
    } catch (error) {
      if (!(error instanceof TooManySessionsError)) throw error;
      // At the cap the tenant page itself answers (with the cap's status), so the list to close one from is right there.
      await this.renderTenant(req, res, session, tenantId, { sessionCap: MAX_OPEN_SESSIONS }, ERROR_STATUS[error.code]);
    }
  }

  /** Closes an open onboarding link: it then answers 410 like an expired one. */
  @Post('tenants/:tenantId/authorization-sessions/:sessionId/close')
  @ConsoleOperator()
  async closeSession(
    @Res() res: FastifyReply,
    @CurrentConsoleSession() session: ConsoleSession,
    @Param('tenantId') raw: string,
    @Param('sessionId') sessionId: string,
  ): Promise<void> {
    const tenantId = this.tenantId(raw);
    await this.onboarding.close(tenantId, sessionId, consoleActor(session.operatorName));
    redirect(res, `/console/tenants/${encodeURIComponent(tenantId)}`);
  }

  /**
   * A file of openids from the tenant page (CSV with an optional "openid" header line, or plain
   * text: one openid per line) starts a job, read as it arrives like the API's text/csv body.
   */
  @Post('tenants/:tenantId/jobs')
  @ConsoleOperator()
  @RouteBody({ bodyLimit: BLACKLIST_JOBS_BODY_LIMIT, streamed: ['text/csv'] })
  async upload(
    @Req() req: FastifyRequest<{ Querystring: { action?: unknown } }>,
    @Res() res: FastifyReply,
    @CurrentConsoleSession() session: ConsoleSession,
    @Param('tenantId') raw: string,
  ): Promise<void> {
    const tenantId = await this.existingTenant(raw);
    const body = new StreamedJobBody(req.body as Readable, 'csv', req.query.action, req.headers['content-encoding']);
    const job = await this.jobs.createStreamed(tenantId, body, {
      caller: { actor: 'operator', name: consoleActor(session.operatorName).actorName ?? undefined },
      requestId: requestIdOf(req),
    });
    sendConsoleJson(res, 202, job);
  }

  /** Sends a delivery about this tenant again (to the tenant's endpoint or an operator one). */
  @Post('tenants/:tenantId/deliveries/:endpointId/:eventId/redeliver')
  @ConsoleOperator()
  async redeliver(
    @Res() res: FastifyReply,
    @Param('tenantId') raw: string,
    @Param('endpointId', new UuidParamPipe(() => new WebhookEventNotFoundError())) endpointId: string,
    @Param('eventId', new UuidParamPipe(() => new WebhookEventNotFoundError())) eventId: string,
  ): Promise<void> {
    const tenantId = this.tenantId(raw);
    const delivery = await this.repository.deliveryAbout(tenantId, endpointId, eventId);
    if (!delivery) throw new WebhookEventNotFoundError();
    await this.webhooks.redeliver(delivery.operatorEndpoint ? null : tenantId, endpointId, eventId);
    redirect(res, `/console/tenants/${encodeURIComponent(tenantId)}`);
  }

  @Post('tenants/:tenantId/jobs/:jobId/cancel')
  @ConsoleOperator()
  async cancelJob(
    @Res() res: FastifyReply,
    @Param('tenantId') raw: string,
    // A segment that is no UUID names no job: answered like an unknown one.
    @Param('jobId', new UuidParamPipe(() => new JobNotFoundError())) jobId: string,
  ): Promise<void> {
    const tenantId = this.tenantId(raw);
    await this.jobs.cancel(tenantId, jobId);
    redirect(res, `/console/tenants/${encodeURIComponent(tenantId)}`);
  }

  private tenantId(raw: string): TenantId {
    const tenantId = parseTenantId(raw);
    if (!tenantId) throw new TenantNotFoundError();
    return tenantId;
  }

  private async existingTenant(raw: string): Promise<TenantId> {
    const tenantId = this.tenantId(raw);
    if (!(await this.repository.tenant(tenantId))) throw new TenantNotFoundError();
    return tenantId;
  }

  private async renderTenant(
    req: FastifyRequest,
    res: FastifyReply,
    session: ConsoleSession,
    tenantId: TenantId,
    extra: { onboardingUrl?: string; sessionCap?: number },
    status = 200,
  ): Promise<void> {
    const tenant = await this.repository.tenant(tenantId);
    if (!tenant) throw new TenantNotFoundError();
    const [audit, jobs, deliveries, sessions] = await Promise.all([
      this.audit.list(tenantId, undefined, 20),
      this.repository.recentJobs(tenantId),
      this.repository.recentDeliveries(tenantId),
      this.onboarding.listOpen(tenantId),
    ]);
    this.page(
      req,
      res,
      status,
      (c) => tenantPage(c, { tenant, audit: audit.items, jobs, deliveries, sessions, ...extra }),
      session,
    );
  }

  private context(req: FastifyRequest, session: ConsoleSession | undefined, nonce: string, res?: FastifyReply): PageContext {
    const url = new URL(req.url, 'http://console.invalid');
    url.searchParams.delete('lang');
    return {
      nonce,
      csrfToken: session?.csrfToken,
      locale: consoleLocale(req, res),
      timeZone: this.config.consoleTimeZone ?? 'Asia/Shanghai',
      now: new Date(),
      path: `${url.pathname}${url.search}`,
    };
  }

  private page(
    req: FastifyRequest,
    res: FastifyReply,
    status: number,
    render: (c: PageContext) => string,
    session?: ConsoleSession,
  ) {
    const locale = consoleLocale(req, res);
    sendConsolePage(res, status, (nonce) => render(this.context(req, session, nonce)), locale);
  }

  /** `maxAge` in seconds. */
  private cookieOptions(maxAge?: number) {
    return {
      httpOnly: true,
      sameSite: 'strict' as const,
      secure: this.config.publicBaseUrl.startsWith('https:'),
      path: '/console',
      ...(maxAge ? { maxAge } : {}),
    };
  }
}
