import { Inject, Injectable, Logger } from '@nestjs/common';
import { ComponentApi, WeChatApiError } from '@app/wechat';
import type { EntityManager } from 'typeorm';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { storeUntilLanded } from '../platform/database/database-unavailable';
import { SessionLocks } from '../platform/database/session-locks';
import { SingleFlightRefresh, isFresh, storedTokenServes } from '../platform/database/single-flight-refresh';
import { Transactions } from '../platform/database/transactions';
import { ComponentStateRepository } from './component-state.repository';
import { ComponentTicketMissingError } from './component.errors';
import { MetricsService } from '../platform/metrics/metrics.service';
import { Counter } from 'prom-client';

/** api_start_push_ticket at most this often, across all instances. */
const START_PUSH_TICKET_INTERVAL = '10 minutes';
/** A renewal because an authorizer token died early, at most this often across all instances. */
const EARLY_RENEWAL_INTERVAL = '10 minutes';

export interface ComponentStatus {
  ticketReceivedAt: Date | null;
  componentTokenExpiresAt: Date | null;
  ticketPushRequestedAt: Date | null;
}

/** Why the gateway asked WeChat to push a ticket: none to make a token from, or the newest one is old. */
export type TicketPushReason = 'no_ticket' | 'stale_ticket';

/** The component token as stored, for a caller that must not spend a call on a token marked expired. */
export interface StoredComponentTokenState {
  token: string | null;
  expired: boolean;
}

/**
 * The component access token and the verify ticket it is made from, kept in PostgreSQL
 * (encrypted) so every instance and every restart shares them. Refreshed through the shared
 * single-flight pattern (platform/database/single-flight-refresh.ts).
 */
@Injectable()
export class ComponentTokenService {
  private readonly logger = new Logger(ComponentTokenService.name);
  private readonly flights = new SingleFlightRefresh<string>({
    locks: () => this.locks,
    lockName: (appId) => `wtg:component-token:${appId}`,
    underLock: (appId, failedToken) => this.refreshUnderLock(appId, failedToken),
  });

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly api: ComponentApi,
    private readonly state: ComponentStateRepository,
    private readonly transactions: Transactions,
    private readonly locks: SessionLocks,
    metrics: MetricsService,
  ) {
    this.pushRequests = new Counter({
      name: 'component_ticket_push_requests_total',
      help: 'api_start_push_ticket calls this instance made, by reason (no ticket, or the newest one older than 20 minutes)',
      labelNames: ['reason'] as const,
      registers: [metrics.registry],
    });
  }

  private readonly pushRequests: Counter<'reason'>;
  /** This process's early-renewal check under way, and when the last one started. */
  private earlyRenewal?: Promise<void>;
  private earlyRenewalCheckedAt = 0;

  private get appId(): string {
    return this.config.wechat.componentAppId;
  }

  /** A component token with at least 10 minutes left. */
  async getToken(): Promise<string> {
    const stored = await this.state.readToken(this.appId);
    if (stored.token && isFresh(stored.expiresAt)) return stored.token;
    return this.flights.refresh(this.appId);
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
      return fn(await this.flights.refresh(this.appId, token));
    }
  }

  /**
   * The component token for a service that calls WeChat itself, with more than the refresh margin
   * left; with `rejected`, replaced only if still the stored one (the same rules as renew()).
   */
  async handOut(rejected?: string): Promise<{ token: string; expiresAt: Date }> {
    const token = rejected === undefined ? await this.getToken() : await this.renew(rejected);
    const stored = await this.state.readToken(this.appId);
    // Read again for its expiry; another caller may have replaced it meanwhile, which is as good if fresh.
    if (stored.token && stored.token !== rejected && (stored.token === token || isFresh(stored.expiresAt))) {
      return { token: stored.token, expiresAt: stored.expiresAt! };
    }
    return this.handOut(rejected);
  }

  /**
   * WeChat rejected an authorizer token we held as fresh (a call sent at `sentAt`): tokens were
   * dropped early, and the component token may have gone with them, which nothing tells us
   * until a call using it fails. Renewing it before the authorizer refreshes spares each tenant
   * refreshing now a call sent with a dead component token (the `stampede` benchmark checks one
   * api_authorizer_token per tenant: bench/README.md). Done holding the component's lock, so callers on any
   * instance wait for it and then use the new token; at most once per 10 minutes across
   * instances; callers in this process whose call predates the last check join or skip it.
   * A failure is logged only: the authorizer refresh copes on its own.
   */
  renewAfterEarlyRejection(sentAt: number): Promise<void> {
    if (this.earlyRenewal) return this.earlyRenewal;
    if (sentAt < this.earlyRenewalCheckedAt) return Promise.resolve();
    this.earlyRenewalCheckedAt = Date.now();
    const run = this.locks
      .hold(`wtg:component-token:${this.appId}`, async () => {
        if (!(await this.state.claimEarlyTokenRenewal(this.appId, EARLY_RENEWAL_INTERVAL))) return;
        const stored = await this.state.readToken(this.appId);
        this.logger.warn('WeChat rejected an authorizer token held as fresh; renewing the component token first');
        await this.refreshUnderLock(this.appId, stored.token ?? undefined);
      })
      .catch((e: unknown) => this.logger.warn({ err: (e as Error)?.message }, 'early renewal of the component token failed'))
      .finally(() => {
        if (this.earlyRenewal === run) this.earlyRenewal = undefined;
      });
    this.earlyRenewal = run;
    return run;
  }

  /** WeChat rejected this token (40001/40014/42001): refresh unless another caller already replaced it. */
  renew(failedToken: string): Promise<string> {
    return this.flights.refresh(this.appId, failedToken);
  }

  /**
   * The token as stored right now, inside the caller's transaction (the authorizer refresh
   * reads it under its tenant lock). Expired means past its expiry, or marked so after a
   * rejection; the 10-minute margin is getToken()'s business.
   */
  async storedToken(m?: EntityManager): Promise<StoredComponentTokenState> {
    const stored = await this.state.readToken(this.appId, m);
    return { token: stored.token, expired: (stored.expiresAt?.getTime() ?? 0) <= Date.now() };
  }

  /** WeChat rejected `token`: mark it expired in the caller's transaction, unless it was replaced already. */
  async expireRejected(token: string, m?: EntityManager): Promise<void> {
    if (m) await this.state.expireTokenIfStill(this.appId, token, m);
    else await this.transactions.run((tx) => this.state.expireTokenIfStill(this.appId, token, tx));
  }

  /** Stores a pushed ticket unless a newer one (by CreateTime) is already stored. */
  async storeTicket(ticket: string, createTime: number): Promise<boolean> {
    const stored = await this.state.storeTicket(this.appId, ticket, createTime);
    if (!stored) this.logger.warn({ createTime }, 'ignored a verify ticket older than the stored one');
    return stored;
  }

  async status(): Promise<ComponentStatus> {
    const s = await this.state.status(this.appId);
    return {
      ticketReceivedAt: s.ticketReceivedAt,
      componentTokenExpiresAt: s.tokenExpiresAt,
      ticketPushRequestedAt: s.pushTicketRequestedAt,
    };
  }

  /** Holding the component's session lock (no pooled connection is held while WeChat answers). */
  private async refreshUnderLock(appId: string, failedToken?: string): Promise<string> {
    // Re-read under the lock: another instance may have refreshed while we waited.
    const stored = await this.state.readCredentials(appId);
    if (storedTokenServes(stored.token, stored.expiresAt, failedToken)) return stored.token;
    if (stored.ticket) {
      try {
        const reply = await this.api.apiComponentToken({
          component_appid: appId,
          component_appsecret: this.config.wechat.componentAppSecret,
          component_verify_ticket: stored.ticket,
        });
        const expiresAt = new Date(Date.now() + reply.expires_in * 1000);
        await storeUntilLanded(() => this.state.storeToken(appId, reply.component_access_token, expiresAt), {
          onRetry: (e, attempt) =>
            this.logger.warn({ attempt, err: (e as Error).message }, 'storing the component token failed; retrying'),
        });
        this.logger.log({ expiresAt: expiresAt.toISOString() }, 'component token refreshed');
        return reply.component_access_token;
      } catch (e) {
        if (!(e instanceof WeChatApiError && e.kind === 'ticket-rejected')) throw e;
      }
    }
    await this.requestTicketPush('no_ticket');
    throw new ComponentTicketMissingError();
  }

  /** Asks WeChat to push a ticket, at most once per 10 minutes across every instance; true when this call asked. */
  async requestTicketPush(reason: TicketPushReason): Promise<boolean> {
    if (!(await this.state.claimTicketPushRequest(this.appId, START_PUSH_TICKET_INTERVAL))) return false;
    this.pushRequests.inc({ reason });
    try {
      await this.api.apiStartPushTicket({ component_appid: this.appId, component_secret: this.config.wechat.componentAppSecret });
      this.logger.warn({ reason }, 'asked WeChat to push a component verify ticket');
    } catch (e) {
      this.logger.error({ err: (e as Error).message }, 'api_start_push_ticket failed');
    }
    return true;
  }
}
