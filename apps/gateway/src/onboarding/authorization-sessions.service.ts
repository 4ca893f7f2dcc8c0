import type { ActingParty } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { Inject, Injectable } from '@nestjs/common';
import { ComponentApi } from '@app/wechat';
import { createHash, randomBytes } from 'node:crypto';
import { ComponentCallBudget } from '../component/component-call-budget';
import { ComponentTokenService } from '../component/component-token.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { Transactions } from '../platform/database/transactions';
import { isUuid } from '@app/common';
import type { TenantId } from '../tenants/tenant-id';
import type { AuthorizationSessionView, OpenAuthorizationSessionView } from './dto/create-authorization-session.dto';
import { OnboardingRepository, type SessionRecord } from './onboarding.repository';
import { AuthorizationSessionNotFoundError, ReturnUrlNotAllowedError, TooManySessionsError } from './onboarding.errors';
import { parseReturnUrl } from './return-url';

export type { SessionRecord } from './onboarding.repository';

export const SESSION_TTL_MS = 24 * 3600_000;
/** Open sessions per tenant: each is a public link whose views spend the component's shared quota. */
export const MAX_OPEN_SESSIONS = 20;
/** A reload reuses the session's pre-auth code unless it has less than this left (time to click through WeChat's page). */
export const PRE_AUTH_CODE_MIN_REMAINING_SECONDS = 120;
/** After this many codes WeChat rejected, a session stops exchanging (answers the start-again page). */
export const MAX_REJECTED_CODES_PER_SESSION = 5;

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

export function isOpen(session: SessionRecord): boolean {
  return session.completedAt === null && session.expiresAt.getTime() > Date.now();
}

/** Onboarding sessions and the pre-auth codes each view of their page mints. */
@Injectable()
export class AuthorizationSessionsService {
  constructor(
    private readonly repository: OnboardingRepository,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly componentTokens: ComponentTokenService,
    private readonly api: ComponentApi,
    private readonly budget: ComponentCallBudget,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
  ) {}

  /**
   * `by`: who asks (and is audited). An operator's returnUrl (the console's and the sandbox's too)
   * may point anywhere ONBOARDING_RETURN_URL_ORIGINS allows (anywhere when unset); a tenant key's
   * only at an origin listed there.
   */
  async create(
    tenantId: TenantId,
    input: { authType?: number; returnUrl?: string },
    by: ActingParty,
  ): Promise<AuthorizationSessionView> {
    const actor = by.actor === 'tenant' ? 'tenant' : 'operator';
    const allowedOrigins = this.config.onboardingReturnUrlOrigins;
    if (input.returnUrl !== undefined && actor === 'tenant' && !allowedOrigins) throw new ReturnUrlNotAllowedError(false);
    const returnUrl =
      input.returnUrl === undefined
        ? null
        : parseReturnUrl(input.returnUrl, {
            httpsOnly: this.config.mode === 'production',
            // A tenant's refusal is its own error, below.
            allowedOrigins: actor === 'operator' ? allowedOrigins : undefined,
          });
    if (returnUrl !== null && actor === 'tenant' && !allowedOrigins!.includes(new URL(returnUrl).origin)) {
      throw new ReturnUrlNotAllowedError(true);
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    // Counted and created under a per-tenant lock, so concurrent creates cannot pass the cap together.
    const id = await this.transactions.underLock(`wtg:sessions:${tenantId}`, async (m) => {
      const open = await this.repository.openSessions(tenantId, m);
      if (open.count >= MAX_OPEN_SESSIONS) throw new TooManySessionsError(MAX_OPEN_SESSIONS, open.firstExpiry);
      const created = await this.repository.createSession(
        tenantId,
        { tokenHash: sha256(token), authType: input.authType ?? 1, returnUrl, expiresAt },
        m,
      );
      await this.audit.recordChange(tenantId, by, 'authorization_session.created', { sessionId: created }, m);
      return created;
    });
    return { id, onboardingUrl: this.onboardingUrl(token), expiresAt: expiresAt.toISOString() };
  }

  /** The tenant's open sessions, newest first (their links are not shown again: only digests are stored). */
  async listOpen(tenantId: TenantId): Promise<OpenAuthorizationSessionView[]> {
    const rows = await this.repository.listOpenSessions(tenantId);
    return rows.map((r) => ({
      id: r.id,
      status: 'open' as const,
      authType: r.authType,
      returnUrl: r.returnUrl,
      createdAt: r.createdAt.toISOString(),
      expiresAt: r.expiresAt.toISOString(),
    }));
  }

  /**
   * Closes a session: its link then answers 410 like an expired one. Closing one that is no
   * longer open changes nothing and succeeds; only a real close is audited.
   */
  async close(tenantId: TenantId, sessionId: string, by: ActingParty): Promise<void> {
    if (!isUuid(sessionId)) throw new AuthorizationSessionNotFoundError();
    await this.transactions.underLock(`wtg:sessions:${tenantId}`, async (m) => {
      const result = await this.repository.closeSession(tenantId, sessionId, m);
      if (!result) throw new AuthorizationSessionNotFoundError();
      if (!result.closed) return;
      await this.audit.recordChange(tenantId, by, 'authorization_session.closed', { sessionId }, m);
    });
  }

  onboardingUrl(token: string): string {
    return `${this.config.publicBaseUrl}/onboarding/${token}`;
  }

  async findByToken(token: string): Promise<SessionRecord | undefined> {
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(token)) return undefined;
    return this.repository.findSessionByTokenHash(sha256(token));
  }

  async findById(sessionId: string): Promise<SessionRecord | undefined> {
    // Session ids are UUIDs like tenant ids; anything else is simply "no such session".
    if (!isUuid(sessionId)) return undefined;
    return this.repository.findSessionById(sessionId);
  }

  /** The session whose page minted this pre-auth code (how an `authorized` push finds its tenant). */
  async findByPreAuthCode(preAuthCode: string): Promise<SessionRecord | undefined> {
    return this.repository.findSessionByPreAuthCodeHash(sha256(preAuthCode));
  }

  /**
   * The pre-auth code for a view of the session's page: the one an earlier view minted while it is
   * unused and has PRE_AUTH_CODE_MIN_REMAINING_SECONDS left, else a fresh one. Under a per-session
   * lock, so a burst of reloads (on any instance) mints once: api_create_preauthcode spends the
   * component's quota, which every tenant shares.
   */
  async preAuthCodeFor(session: SessionRecord): Promise<string> {
    return this.transactions.underLock(`wtg:pre-auth-code:${session.id}`, async (m) => {
      const reusable = await this.repository.reusablePreAuthCode(session.id, PRE_AUTH_CODE_MIN_REMAINING_SECONDS, m);
      if (reusable) return reusable;
      await this.budget.spend('api_create_preauthcode');
      const reply = await this.componentTokens.call((ct) =>
        this.api.apiCreatePreauthcode(ct, { component_appid: this.config.wechat.componentAppId }),
      );
      await this.repository.recordPreAuthCode(
        session.tenantId,
        {
          codeHash: sha256(reply.pre_auth_code),
          code: reply.pre_auth_code,
          sessionId: session.id,
          expiresAt: new Date(Date.now() + reply.expires_in * 1000),
        },
        m,
      );
      return reply.pre_auth_code;
    });
  }

  /** An authorization came back for the session: WeChat consumed its pre-auth code, so the next view mints a new one. */
  retirePreAuthCodes(sessionId: string): Promise<void> {
    return this.repository.retirePreAuthCodes(sessionId);
  }

  /** Enough codes WeChat rejected for this session: no more api_query_auth calls for it. */
  async rejectedTooManyCodes(sessionId: string): Promise<boolean> {
    return (await this.repository.rejectedCodeCount(sessionId)) >= MAX_REJECTED_CODES_PER_SESSION;
  }
}
