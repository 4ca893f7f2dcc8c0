import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ComponentApi } from '@app/wechat';
import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ComponentTokenService } from '../component/component-token.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { isUuid } from '@app/common';
import type { TenantId } from '../tenants/tenant-id';
import type { AuthorizationSessionView } from './dto/create-authorization-session.dto';

export const SESSION_TTL_MS = 24 * 3600_000;

export interface SessionRecord {
  id: string;
  tenantId: TenantId;
  authType: number;
  returnUrl: string | null;
  expiresAt: Date;
  completedAt: Date | null;
}

interface SessionRow {
  id: string;
  tenant_id: TenantId;
  auth_type: number;
  return_url: string | null;
  expires_at: Date;
  completed_at: Date | null;
}

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

const toRecord = (r: SessionRow): SessionRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  authType: r.auth_type,
  returnUrl: r.return_url,
  expiresAt: r.expires_at,
  completedAt: r.completed_at,
});

/** Session lookups only ever return sessions of live tenants. */
const SESSION_SELECT = `
  SELECT s.id, s.tenant_id, s.auth_type, s.return_url, s.expires_at, s.completed_at
    FROM authorization_sessions s JOIN tenants t ON t.id = s.tenant_id AND t.deleted_at IS NULL`;

export function isOpen(session: SessionRecord): boolean {
  return session.completedAt === null && session.expiresAt.getTime() > Date.now();
}

/** Onboarding sessions and the pre-auth codes each view of their page mints. */
@Injectable()
export class AuthorizationSessionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly componentTokens: ComponentTokenService,
    private readonly api: ComponentApi,
  ) {}

  async create(tenantId: TenantId, input: { authType?: number; returnUrl?: string }): Promise<AuthorizationSessionView> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    const rows: { id: string }[] = await this.dataSource.query(
      `INSERT INTO authorization_sessions (tenant_id, token_hash, auth_type, return_url, expires_at)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [tenantId, sha256(token), input.authType ?? 1, input.returnUrl ?? null, expiresAt],
    );
    return { id: rows[0].id, onboardingUrl: this.onboardingUrl(token), expiresAt: expiresAt.toISOString() };
  }

  onboardingUrl(token: string): string {
    return `${this.config.publicBaseUrl}/onboarding/${token}`;
  }

  async findByToken(token: string): Promise<SessionRecord | undefined> {
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(token)) return undefined;
    const rows: SessionRow[] = await this.dataSource.query(`${SESSION_SELECT} WHERE s.token_hash = $1`, [sha256(token)]);
    return rows[0] && toRecord(rows[0]);
  }

  async findById(sessionId: string): Promise<SessionRecord | undefined> {
    if (!isUuid(sessionId)) return undefined;
    const rows: SessionRow[] = await this.dataSource.query(`${SESSION_SELECT} WHERE s.id = $1`, [sessionId]);
    return rows[0] && toRecord(rows[0]);
  }

  /** The session whose page minted this pre-auth code (how an `authorized` push finds its tenant). */
  async findByPreAuthCode(preAuthCode: string): Promise<SessionRecord | undefined> {
    const rows: SessionRow[] = await this.dataSource.query(
      `${SESSION_SELECT} JOIN pre_auth_codes p ON p.session_id = s.id WHERE p.code_hash = $1`,
      [sha256(preAuthCode)],
    );
    return rows[0] && toRecord(rows[0]);
  }

  /** A fresh pre-auth code for one view of the page (they are single-use and short-lived). */
  async mintPreAuthCode(session: SessionRecord): Promise<string> {
    const reply = await this.componentTokens.call((ct) =>
      this.api.apiCreatePreauthcode(ct, { component_appid: this.config.wechat.componentAppId }),
    );
    await this.dataSource.query(
      `INSERT INTO pre_auth_codes (code_hash, tenant_id, session_id, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (code_hash) DO NOTHING`,
      [sha256(reply.pre_auth_code), session.tenantId, session.id, new Date(Date.now() + reply.expires_in * 1000)],
    );
    return reply.pre_auth_code;
  }
}
