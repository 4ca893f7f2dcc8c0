import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type ApiGetAuthorizerInfoResponse, ComponentApi, permissionSetIds, WeChatApiError } from '@app/wechat';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { AuthorizersService } from '../authorizers/authorizers.service';
import { ComponentTokenService } from '../component/component-token.service';
import { ADVISORY_LOCK_SQL } from '../database/advisory-lock';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import type { ExchangeOutcome } from './authorization-code-exchange.entity';
import type { TenantId } from '../tenants/tenant-id';

export type ExchangeResult =
  | { outcome: ExchangeOutcome; tenantId: TenantId; appId: string | null; replayed: boolean }
  | { outcome: 'tenant_gone'; tenantId: TenantId; appId: null; replayed: false };

interface ExchangeRow {
  outcome: ExchangeOutcome;
  tenant_id: TenantId;
  authorizer_app_id: string | null;
}

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

/**
 * Exchanges an authorization code exactly once, whether the browser callback or the
 * `authorized` push arrives first (or both at once, on different instances): an advisory
 * lock per code serializes them and one row per code records the outcome for the other.
 */
@Injectable()
export class AuthorizationExchangeService {
  private readonly logger = new Logger(AuthorizationExchangeService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly componentTokens: ComponentTokenService,
    private readonly api: ComponentApi,
    private readonly authorizers: AuthorizersService,
  ) {}

  /** The recorded outcome of a code already exchanged, if any. */
  async recorded(authCode: string): Promise<ExchangeResult | undefined> {
    const rows: ExchangeRow[] = await this.dataSource.query(
      `SELECT outcome, tenant_id, authorizer_app_id FROM authorization_code_exchanges WHERE code_hash = $1`,
      [sha256(authCode)],
    );
    return rows[0] && { outcome: rows[0].outcome, tenantId: rows[0].tenant_id, appId: rows[0].authorizer_app_id, replayed: true };
  }

  /**
   * Exchanges the code for the tenant (api_query_auth), reads the account
   * (api_get_authorizer_info) and stores tokens and permission sets, marking the tenant
   * active. An account already bound to another live tenant changes nothing.
   */
  async exchange(authCode: string, binding: { tenantId: TenantId; sessionId: string | null }): Promise<ExchangeResult> {
    const codeHash = sha256(authCode);
    const { tenantId, sessionId } = binding;
    return this.dataSource.transaction(async (m): Promise<ExchangeResult> => {
      await m.query(ADVISORY_LOCK_SQL, [`wtg:auth-code:${codeHash}`]);
      const done: ExchangeRow[] = await m.query(
        `SELECT outcome, tenant_id, authorizer_app_id FROM authorization_code_exchanges WHERE code_hash = $1`,
        [codeHash],
      );
      if (done[0])
        return { outcome: done[0].outcome, tenantId: done[0].tenant_id, appId: done[0].authorizer_app_id, replayed: true };

      const live: unknown[] = await m.query(`SELECT 1 FROM tenants WHERE id = $1 AND deleted_at IS NULL`, [tenantId]);
      if (live.length === 0) return { outcome: 'tenant_gone', tenantId, appId: null, replayed: false };

      const record = async (outcome: ExchangeOutcome, appId: string | null): Promise<ExchangeResult> => {
        await m.query(
          `INSERT INTO authorization_code_exchanges (code_hash, tenant_id, session_id, outcome, authorizer_app_id)
           VALUES ($1, $2, $3, $4, $5)`,
          [codeHash, tenantId, sessionId, outcome, appId],
        );
        return { outcome, tenantId, appId, replayed: false };
      };

      let auth;
      try {
        auth = await this.componentTokens.call((ct) =>
          this.api.apiQueryAuth(ct, { component_appid: this.config.wechat.componentAppId, authorization_code: authCode }),
        );
      } catch (e) {
        if (e instanceof WeChatApiError && e.kind === 'auth-code-rejected') {
          this.logger.warn({ tenantId, wechatErr: e.errcode }, 'WeChat rejected the authorization code; onboarding must restart');
          return record('code_invalid', null);
        }
        throw e;
      }
      const info = auth.authorization_info;
      const appId = info.authorizer_appid;

      // One Official Account, one tenant: serialize binders of this appid, then check.
      await m.query(ADVISORY_LOCK_SQL, [`wtg:authorizer-app:${appId}`]);
      const other: { tenant_id: TenantId }[] = await m.query(
        `SELECT a.tenant_id FROM authorizers a JOIN tenants t ON t.id = a.tenant_id AND t.deleted_at IS NULL
          WHERE a.app_id = $1 AND a.tenant_id <> $2`,
        [appId, tenantId],
      );
      if (other.length > 0) {
        this.logger.warn({ tenantId, appId }, 'Official Account already bound to another tenant; nothing changed');
        return record('already_bound', appId);
      }

      // The code is spent at WeChat now: if the info call fails, keep the tokens anyway
      // (losing them would force the merchant to authorize again) and read the info later.
      let accountInfo: ApiGetAuthorizerInfoResponse | undefined;
      try {
        accountInfo = await this.authorizers.fetchAuthorizerInfo(appId);
      } catch (e) {
        this.logger.error({ tenantId, appId, err: (e as Error).message }, 'api_get_authorizer_info failed after the exchange');
      }
      const funcInfo = accountInfo?.authorization_info?.func_info ?? info.func_info;
      await this.authorizers.storeGrant(m, tenantId, {
        appId,
        accessToken: info.authorizer_access_token,
        expiresInSeconds: info.expires_in,
        refreshToken: info.authorizer_refresh_token,
        permissionSets: permissionSetIds(funcInfo),
        info: accountInfo?.authorizer_info ?? ({} as ApiGetAuthorizerInfoResponse['authorizer_info']),
      });
      if (sessionId) {
        await m.query(`UPDATE authorization_sessions SET completed_at = now() WHERE id = $1 AND completed_at IS NULL`, [
          sessionId,
        ]);
      }
      this.logger.log({ tenantId, appId, via: sessionId ? 'session' : 'bound account' }, 'authorization stored; tenant active');
      return record('authorized', appId);
    });
  }

  /** Closes a session whose authorization was completed by the other path. */
  async completeSession(sessionId: string): Promise<void> {
    await this.dataSource.query(`UPDATE authorization_sessions SET completed_at = now() WHERE id = $1 AND completed_at IS NULL`, [
      sessionId,
    ]);
  }
}
