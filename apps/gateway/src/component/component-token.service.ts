import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ComponentApi, WeChatApiError } from '@app/wechat';
import type { DataSource } from 'typeorm';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { ComponentTicketMissingError } from './component.errors';
import { ADVISORY_LOCK_SQL } from '../database/advisory-lock';
import { seal, unseal } from '../component/sealed';

/** Refresh when less than this remains (WeChat keeps an old token alive only briefly after a new one). */
export const REFRESH_MARGIN_MS = 10 * 60_000;
/** api_start_push_ticket at most this often, across all instances. */
const START_PUSH_TICKET_INTERVAL = '10 minutes';

interface StateRow {
  ticket: string | null;
  ticket_create_time: string | null;
  ticket_received_at: Date | null;
  access_token: string | null;
  access_token_expires_at: Date | null;
}

export interface ComponentStatus {
  ticketReceivedAt: Date | null;
  componentTokenExpiresAt: Date | null;
}

/**
 * The component access token and the verify ticket it is made from, kept in PostgreSQL
 * (encrypted) so every instance and every restart shares them. One refresh at a time:
 * across instances by an advisory lock with a re-check once it is held, within the process
 * by one shared in-flight promise.
 */
@Injectable()
export class ComponentTokenService {
  private readonly logger = new Logger(ComponentTokenService.name);
  private inFlight?: Promise<string>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly api: ComponentApi,
  ) {}

  private get appId(): string {
    return this.config.wechat.componentAppId;
  }

  /** A component token with at least 10 minutes left. */
  async getToken(): Promise<string> {
    const rows: StateRow[] = await this.dataSource.query(
      `SELECT access_token, access_token_expires_at FROM component_state WHERE component_app_id = $1`,
      [this.appId],
    );
    const row = rows[0];
    if (row?.access_token && isFresh(row.access_token_expires_at)) return unseal(row.access_token)!;
    return this.refresh();
  }

  /**
   * Runs a component API call with the token; when WeChat calls the token invalid it is
   * refreshed (only if still the stored one) and the call is retried exactly once.
   */
  async call<T>(fn: (componentAccessToken: string) => Promise<T>): Promise<T> {
    const token = await this.getToken();
    try {
      return await fn(token);
    } catch (e) {
      if (!(e instanceof WeChatApiError) || e.kind !== 'token-invalid') throw e;
      this.logger.warn({ api: e.api, wechatErr: e.errcode }, 'component token rejected by WeChat; refreshing once');
      return fn(await this.refresh(token));
    }
  }

  /** WeChat rejected this token (40001/40014/42001): refresh unless another caller already replaced it. */
  renew(failedToken: string): Promise<string> {
    return this.refresh(failedToken);
  }

  /** Stores a pushed ticket unless a newer one (by CreateTime) is already stored. */
  async storeTicket(ticket: string, createTime: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO component_state AS s (component_app_id, ticket, ticket_create_time, ticket_received_at)
       VALUES ($1, $2, $3, now())
       ON CONFLICT (component_app_id) DO UPDATE
          SET ticket = EXCLUDED.ticket, ticket_create_time = EXCLUDED.ticket_create_time,
              ticket_received_at = now(), updated_at = now()
        WHERE s.ticket_create_time IS NULL OR s.ticket_create_time <= EXCLUDED.ticket_create_time
       RETURNING 1`,
      [this.appId, seal(ticket), createTime],
    );
    if (rows.length === 0) this.logger.warn({ createTime }, 'ignored a verify ticket older than the stored one');
    return rows.length > 0;
  }

  async status(): Promise<ComponentStatus> {
    const rows: StateRow[] = await this.dataSource.query(
      `SELECT ticket_received_at, access_token_expires_at FROM component_state WHERE component_app_id = $1`,
      [this.appId],
    );
    return {
      ticketReceivedAt: rows[0]?.ticket_received_at ?? null,
      componentTokenExpiresAt: rows[0]?.access_token_expires_at ?? null,
    };
  }

  /**
   * Shares one refresh among concurrent callers. A caller whose token just failed and who
   * joined a refresh that handed back that same token starts its own (compare-then-expire).
   */
  private async refresh(failedToken?: string): Promise<string> {
    if (!this.inFlight) {
      this.inFlight = this.refreshUnderLock(failedToken).finally(() => {
        this.inFlight = undefined;
      });
    }
    const token = await this.inFlight;
    return failedToken !== undefined && token === failedToken ? this.refresh(failedToken) : token;
  }

  private async refreshUnderLock(failedToken?: string): Promise<string> {
    const outcome = await this.dataSource.transaction(async (m): Promise<{ token: string } | { ticketMissing: true }> => {
      await m.query(`INSERT INTO component_state (component_app_id) VALUES ($1) ON CONFLICT DO NOTHING`, [this.appId]);
      await m.query(ADVISORY_LOCK_SQL, [`wtg:component-token:${this.appId}`]);
      // Re-read under the lock: another instance may have refreshed while we waited.
      const [row]: StateRow[] = await m.query(
        `SELECT ticket, access_token, access_token_expires_at FROM component_state WHERE component_app_id = $1`,
        [this.appId],
      );
      const stored = unseal(row.access_token);
      if (stored && stored !== failedToken && isFresh(row.access_token_expires_at)) return { token: stored };
      const ticket = unseal(row.ticket);
      if (!ticket) return { ticketMissing: true };
      let reply;
      try {
        reply = await this.api.apiComponentToken({
          component_appid: this.appId,
          component_appsecret: this.config.wechat.componentAppSecret,
          component_verify_ticket: ticket,
        });
      } catch (e) {
        if (e instanceof WeChatApiError && e.kind === 'ticket-rejected') return { ticketMissing: true };
        throw e;
      }
      const expiresAt = new Date(Date.now() + reply.expires_in * 1000);
      await m.query(
        `UPDATE component_state SET access_token = $2, access_token_expires_at = $3, updated_at = now() WHERE component_app_id = $1`,
        [this.appId, seal(reply.component_access_token), expiresAt],
      );
      this.logger.log({ expiresAt: expiresAt.toISOString() }, 'component token refreshed');
      return { token: reply.component_access_token };
    });
    if ('token' in outcome) return outcome.token;
    await this.requestTicketPush();
    throw new ComponentTicketMissingError();
  }

  /** Asks WeChat to push a ticket, at most once per 10 minutes across every instance (the timestamp is in the database). */
  private async requestTicketPush(): Promise<void> {
    const [rows] = (await this.dataSource.query(
      `UPDATE component_state SET push_ticket_requested_at = now()
        WHERE component_app_id = $1
          AND (push_ticket_requested_at IS NULL OR push_ticket_requested_at < now() - interval '${START_PUSH_TICKET_INTERVAL}')
       RETURNING 1`,
      [this.appId],
    )) as [unknown[], number];
    if (rows.length === 0) return;
    try {
      await this.api.apiStartPushTicket({ component_appid: this.appId, component_secret: this.config.wechat.componentAppSecret });
      this.logger.warn('no component verify ticket yet; asked WeChat to push one');
    } catch (e) {
      this.logger.error({ err: (e as Error).message }, 'api_start_push_ticket failed');
    }
  }
}

function isFresh(expiresAt: Date | null): boolean {
  return expiresAt !== null && expiresAt.getTime() - Date.now() > REFRESH_MARGIN_MS;
}
