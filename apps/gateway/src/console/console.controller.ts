import { Controller, Get, Inject, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiExcludeController } from '@nestjs/swagger';
import { DomainError } from '@app/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { Public } from '../auth';
import { consoleActor } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { JobNotFoundError } from '../blacklist-jobs/blacklist-jobs.errors';
import { BlacklistJobsService } from '../blacklist-jobs/blacklist-jobs.service';
import { ComponentTokenService } from '../component/component-token.service';
import { ticketStaleAfterSeconds } from '../component/ticket-watch.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { AuthorizationSessionsService } from '../onboarding/authorization-sessions.service';
import { TENANT_STATUSES } from '../tenants/tenant.entity';
import { parseTenantId, type TenantId } from '../tenants/tenant-id';
import { CONTROL_CHARACTER } from '../validation/no-control-characters';
import { UuidParamPipe } from '../validation/uuid-param.pipe';
import { readForm, sameOrigin } from './console-form';
import { consoleErrorPage, jobPercent, loginPage, type PageContext, statusPage, tenantPage, tenantsPage } from './console-pages';
import { CONSOLE_COOKIE, CONSOLE_SESSION_SECONDS, type ConsoleSession, ConsoleSessions } from './console-sessions';
import { ConsoleRepository } from './console.repository';

const PAGE_SIZE = 25;
const OPEN_JOB = new Set(['queued', 'running', 'paused']);

/** The operator console: server-rendered pages over the same services as the API (no build step). */
@ApiExcludeController()
@Public() // the console's own session cookie is checked here, not the API key guard
@Controller('console')
export class ConsoleController {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly sessions: ConsoleSessions,
    private readonly repository: ConsoleRepository,
    private readonly component: ComponentTokenService,
    private readonly audit: AuditService,
    private readonly jobs: BlacklistJobsService,
    private readonly onboarding: AuthorizationSessionsService,
  ) {}

  @Get('login')
  loginForm(@Req() req: FastifyRequest, @Res() res: FastifyReply): void {
    if (this.session(req)) return this.redirect(res, '/console');
    this.send(res, 200, (c) => loginPage(c));
  }

  @Post('login')
  @UseGuards(ThrottlerGuard) // a key guess costs nothing to make: rate-limit them per address
  async login(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    if (!sameOrigin(req, this.config.publicBaseUrl))
      return this.send(res, 403, (c) => loginPage(c, 'Cross-site sign-in refused.'));
    const form = readForm(req);
    const cookie = this.sessions.signIn(form.get('key')?.trim() ?? '');
    if (!cookie) return this.send(res, 401, (c) => loginPage(c, 'That is not an operator key of this gateway.'));
    await this.audit.recordChange(null, consoleActor(this.sessions.verify(cookie)!.operatorName), 'console.signed_in');
    res.setCookie(CONSOLE_COOKIE, cookie, this.cookieOptions(CONSOLE_SESSION_SECONDS));
    this.redirect(res, '/console');
  }

  @Post('logout')
  async logout(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    if (!(await this.checkedPost(req, res))) return;
    res.clearCookie(CONSOLE_COOKIE, this.cookieOptions());
    this.redirect(res, '/console/login');
  }

  @Get()
  async status(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const session = this.signedIn(req, res);
    if (!session) return;
    const s = await this.component.status();
    const age = s.ticketReceivedAt ? Math.max(0, Math.floor((Date.now() - s.ticketReceivedAt.getTime()) / 1000)) : null;
    this.send(
      res,
      200,
      (c) =>
        statusPage(c, {
          componentAppId: this.config.wechat.componentAppId,
          mode: this.config.mode,
          ticketReceivedAt: s.ticketReceivedAt,
          ticketAgeSeconds: age,
          ticketStale: age === null || age > ticketStaleAfterSeconds(this.config),
          tokenExpiresAt: s.componentTokenExpiresAt,
        }),
      session,
    );
  }

  @Get('tenants')
  async tenants(@Req() req: FastifyRequest, @Res() res: FastifyReply, @Query() query: Record<string, unknown>): Promise<void> {
    const session = this.signedIn(req, res);
    if (!session) return;
    const q = typeof query.q === 'string' ? query.q.trim().slice(0, 200) : '';
    // NUL cannot reach PostgreSQL text; no control character belongs in a search.
    if (CONTROL_CHARACTER.test(q)) {
      return this.send(
        res,
        400,
        (c) => consoleErrorPage(c, 400, 'The search must not contain control characters.', true),
        session,
      );
    }
    const status =
      typeof query.status === 'string' && (TENANT_STATUSES as readonly string[]).includes(query.status) ? query.status : '';
    const page = Math.min(Math.max(1, Math.floor(Number(query.page)) || 1), 10_000);
    const rows = await this.repository.searchTenants({
      q: q || undefined,
      status: status || undefined,
      offset: (page - 1) * PAGE_SIZE,
      limit: PAGE_SIZE + 1,
    });
    this.send(
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
  async tenant(@Req() req: FastifyRequest, @Res() res: FastifyReply, @Param('tenantId') raw: string): Promise<void> {
    const session = this.signedIn(req, res);
    if (!session) return;
    await this.renderTenant(res, session, raw, {});
  }

  /** What the progress bars poll: this tenant's recent jobs, no secrets. */
  @Get('tenants/:tenantId/jobs.json')
  async jobsJson(@Req() req: FastifyRequest, @Res() res: FastifyReply, @Param('tenantId') raw: string): Promise<void> {
    const tenantId = parseTenantId(raw);
    if (!this.session(req)) {
      res
        .status(401)
        .header('Cache-Control', 'no-store')
        .send({ error: { code: 'UNAUTHENTICATED', message: 'Sign in to the console.' } });
      return;
    }
    const jobs = tenantId ? await this.repository.recentJobs(tenantId) : [];
    res
      .status(200)
      .headers({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
      .send({
        jobs: jobs.map((j) => ({
          id: j.id,
          status: j.status,
          total: j.total,
          processed: j.processed,
          percent: jobPercent(j),
          done: !OPEN_JOB.has(j.status),
        })),
      });
  }

  @Post('tenants/:tenantId/onboarding-links')
  async newOnboardingLink(@Req() req: FastifyRequest, @Res() res: FastifyReply, @Param('tenantId') raw: string): Promise<void> {
    const session = await this.checkedPost(req, res);
    if (!session) return;
    const tenantId = parseTenantId(raw);
    const link = tenantId
      ? await this.actOn(res, session, () => this.onboarding.create(tenantId, {}, consoleActor(session.operatorName)))
      : undefined;
    if (link === null) return;
    await this.renderTenant(res, session, raw, { onboardingUrl: link?.onboardingUrl });
  }

  @Post('tenants/:tenantId/jobs/:jobId/cancel')
  async cancelJob(
    @Req() req: FastifyRequest,
    @Res() res: FastifyReply,
    @Param('tenantId') raw: string,
    @Param('jobId', new UuidParamPipe()) jobId: string | undefined,
  ): Promise<void> {
    const session = await this.checkedPost(req, res);
    if (!session) return;
    const tenantId = parseTenantId(raw);
    if (tenantId) {
      // A segment that is no UUID names no job: answered like an unknown one.
      const cancel = () => (jobId ? this.jobs.cancel(tenantId, jobId) : Promise.reject(new JobNotFoundError()));
      if ((await this.actOn(res, session, cancel)) === null) return;
    }
    this.redirect(res, `/console/tenants/${encodeURIComponent(raw)}`);
  }

  private async renderTenant(
    res: FastifyReply,
    session: ConsoleSession,
    raw: string,
    extra: { onboardingUrl?: string },
  ): Promise<void> {
    const tenantId = parseTenantId(raw);
    const tenant = tenantId ? await this.repository.tenant(tenantId) : undefined;
    if (!tenantId || !tenant) return this.send(res, 404, (c) => consoleErrorPage(c, 404, 'No such tenant.', true), session);
    const [audit, jobs, deliveries] = await Promise.all([
      this.audit.list(tenantId as TenantId, undefined, 20),
      this.repository.recentJobs(tenantId),
      this.repository.recentDeliveries(tenantId),
    ]);
    this.send(res, 200, (c) => tenantPage(c, { tenant, audit: audit.items, jobs, deliveries, ...extra }), session);
  }

  /** Runs an action; a domain error (job already finished, tenant gone…) becomes a page saying so, and null. */
  private async actOn<T>(res: FastifyReply, session: ConsoleSession, act: () => Promise<T>): Promise<T | null> {
    try {
      return await act();
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      this.send(res, 409, (c) => consoleErrorPage(c, 409, `${e.code}: ${e.message}`, true), session);
      return null;
    }
  }

  private session(req: FastifyRequest): ConsoleSession | undefined {
    return this.sessions.verify(req.cookies[CONSOLE_COOKIE]);
  }

  private signedIn(req: FastifyRequest, res: FastifyReply): ConsoleSession | undefined {
    const session = this.session(req);
    if (!session) this.redirect(res, '/console/login');
    return session;
  }

  /** Every state-changing POST: a live session, the same origin and the form's CSRF token. */
  private async checkedPost(req: FastifyRequest, res: FastifyReply): Promise<ConsoleSession | undefined> {
    const session = this.session(req);
    if (!session) {
      this.redirect(res, '/console/login');
      return undefined;
    }
    const form = readForm(req);
    if (!sameOrigin(req, this.config.publicBaseUrl) || !this.sessions.csrfValid(session, form.get('csrf'))) {
      this.send(
        res,
        403,
        (c) => consoleErrorPage(c, 403, 'This form is stale or came from another site; reload the page.', true),
        session,
      );
      return undefined;
    }
    return session;
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

  private redirect(res: FastifyReply, to: string): void {
    res.status(303).headers({ 'Cache-Control': 'no-store', Location: to }).send();
  }

  private send(res: FastifyReply, status: number, render: (c: PageContext) => string, session?: ConsoleSession): void {
    const nonce = randomBytes(16).toString('base64');
    res
      .status(status)
      .headers({
        'Cache-Control': 'no-store',
        'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
        'X-Frame-Options': 'DENY',
        'X-Content-Type-Options': 'nosniff',
        // same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on our own form posts.
        'Referrer-Policy': 'same-origin',
      })
      .type('text/html; charset=utf-8')
      .send(render({ nonce, csrfToken: session?.csrfToken }));
  }
}
