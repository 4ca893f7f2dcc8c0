import { Inject, Injectable } from '@nestjs/common';
import { ComponentApi } from '@app/wechat';
import { createHash, randomBytes } from 'node:crypto';
import { ComponentTokenService } from '../component/component-token.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { isUuid } from '@app/common';
import type { TenantId } from '../tenants/tenant-id';
import type { AuthorizationSessionView } from './dto/create-authorization-session.dto';
import { OnboardingRepository, type SessionRecord } from './onboarding.repository';

export type { SessionRecord } from './onboarding.repository';

export const SESSION_TTL_MS = 24 * 3600_000;

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
  ) {}

  async create(tenantId: TenantId, input: { authType?: number; returnUrl?: string }): Promise<AuthorizationSessionView> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    const id = await this.repository.createSession(tenantId, {
      tokenHash: sha256(token),
      authType: input.authType ?? 1,
      returnUrl: input.returnUrl ?? null,
      expiresAt,
    });
    return { id, onboardingUrl: this.onboardingUrl(token), expiresAt: expiresAt.toISOString() };
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

  /** A fresh pre-auth code for one view of the page (they are single-use and short-lived). */
  async mintPreAuthCode(session: SessionRecord): Promise<string> {
    const reply = await this.componentTokens.call((ct) =>
      this.api.apiCreatePreauthcode(ct, { component_appid: this.config.wechat.componentAppId }),
    );
    await this.repository.recordPreAuthCode(session.tenantId, {
      codeHash: sha256(reply.pre_auth_code),
      sessionId: session.id,
      expiresAt: new Date(Date.now() + reply.expires_in * 1000),
    });
    return reply.pre_auth_code;
  }
}
