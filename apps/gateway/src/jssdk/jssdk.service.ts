import { Injectable, Logger } from '@nestjs/common';
import { type GetTicketResponse, jssdkSignature, type JsTicketType, TicketApi } from '@app/wechat';
import { randomBytes } from 'node:crypto';
import { Counter } from 'prom-client';
import { systemActor } from '../audit/audit-actor';
import { AuditService } from '../audit/audit.service';
import { AuthorizerAccountsService } from '../authorizers/authorizer-accounts.service';
import { RENEW_MARGIN_MS } from '../authorizers/authorizer-token-renewer';
import { storeUntilLanded } from '../platform/database/database-unavailable';
import { SessionLocks } from '../platform/database/session-locks';
import { isFresh, SingleFlightRefresh, storedTokenServes } from '../platform/database/single-flight-refresh';
import { MetricsService } from '../platform/metrics/metrics.service';
import type { TenantId } from '../tenants/tenant-id';
import { TenantCalls } from '../tenant-calls/tenant-calls.service';
import { TenantNotActiveError } from '../tenants/tenant.errors';
import type { JsSdkSignatureView, JsTicketView } from './dto/jssdk.dto';
import { JsTicketsRepository } from './js-tickets.repository';
import { signatureUrlInvalid } from './jssdk.errors';

type Trigger = 'read' | 'invalidation' | 'renewal';
const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Candidates read per renewal sweep. */
const RENEWAL_PAGE = 200;

/** A flight key: one refresh per tenant and type, across every caller and instance. */
const keyOf = (tenantId: TenantId, type: JsTicketType) => `${tenantId}:${type}` as const;
const parseKey = (key: string) => {
  const at = key.lastIndexOf(':');
  return { tenantId: key.slice(0, at) as TenantId, type: key.slice(at + 1) as JsTicketType };
};

/**
 * The tenant's JS-SDK tickets (`jsapi`, `wx_card`) and wx.config signatures. One ticket per tenant
 * and type, never per component: fetched with the tenant's authorizer token, sealed at rest,
 * refreshed through the shared single-flight pattern (platform/database/single-flight-refresh.ts: one
 * getticket however many callers and instances ask), renewed ahead of expiry in the background
 * (JsTicketRenewer) with the authorizer tokens' margin. Status and the web service set are checked before anything is handed out.
 */
@Injectable()
export class JsSdkService {
  private readonly logger = new Logger(JsSdkService.name);
  private readonly flights = new SingleFlightRefresh<string>({
    locks: () => this.locks,
    lockName: (key) => `wtg:jssdk-ticket:${key}`,
    underLock: (key, failed) => this.refreshUnderLock(key, failed, 'read'),
  });
  private readonly signatures: Counter<'outcome'>;
  private readonly refreshes: Counter<'type' | 'trigger'>;

  constructor(
    private readonly tickets: JsTicketsRepository,
    private readonly calls: TenantCalls,
    private readonly api: TicketApi,
    private readonly accounts: AuthorizerAccountsService,
    private readonly locks: SessionLocks,
    private readonly audit: AuditService,
    metrics: MetricsService,
  ) {
    this.signatures = new Counter({
      name: 'jssdk_signatures_total',
      help: 'wx.config signatures asked for, by outcome',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
    this.refreshes = new Counter({
      name: 'jssdk_ticket_refreshes_total',
      help: 'JS-SDK tickets fetched from WeChat (getticket), by type and trigger (read, invalidation, renewal)',
      labelNames: ['type', 'trigger'] as const,
      registers: [metrics.registry],
    });
  }

  /** `{appId, timestamp, nonceStr, signature}` for wx.config; `url` is signed exactly as given. */
  async sign(tenantId: TenantId, url: string): Promise<JsSdkSignatureView> {
    try {
      checkSignableUrl(url);
      const { appId, ticket } = await this.current(tenantId, 'jsapi');
      const nonceStr = newNonceStr();
      const timestamp = Math.floor(Date.now() / 1000);
      const result = { appId, timestamp, nonceStr, signature: jssdkSignature({ ticket, nonceStr, timestamp, url }) };
      this.signatures.inc({ outcome: 'ok' });
      return result;
    } catch (e) {
      const code = (e as { code?: unknown })?.code;
      this.signatures.inc({ outcome: typeof code === 'string' ? code.toLowerCase() : 'error' });
      throw e;
    }
  }

  /** The current ticket, with more than the refresh margin left; `rejected`: replaced only if still current. */
  async handOut(tenantId: TenantId, type: JsTicketType, rejected?: string): Promise<JsTicketView> {
    const { appId, ticket, expiresAt } = await this.current(tenantId, type, rejected);
    return { appId, type, ticket, expiresAt: expiresAt.toISOString() };
  }

  private async current(
    tenantId: TenantId,
    type: JsTicketType,
    rejected?: string,
  ): Promise<{ appId: string; ticket: string; expiresAt: Date }> {
    const appId = await this.assertUsable(tenantId);
    const key = keyOf(tenantId, type);
    let stored = await this.tickets.read(tenantId, type);
    if (!stored.ticket || stored.ticket === rejected || !isFresh(stored.expiresAt)) {
      const ticket = await this.flights.refresh(key, rejected);
      stored = await this.tickets.read(tenantId, type);
      // Another caller may have replaced it meanwhile, which is as good if fresh.
      if (!stored.ticket || stored.ticket === rejected || (stored.ticket !== ticket && !isFresh(stored.expiresAt))) {
        return this.current(tenantId, type, rejected);
      }
    }
    return { appId, ticket: stored.ticket, expiresAt: stored.expiresAt! };
  }

  /**
   * Before any ticket is read or fetched, a cached one included: the gate of getticket (tenant
   * active, web service set), as TenantCalls applies it; returns the account's appid.
   */
  private async assertUsable(tenantId: TenantId): Promise<string> {
    await this.calls.admit(tenantId, 'getticket');
    const facts = await this.accounts.getAccessFacts(tenantId);
    if (facts.tenantStatus !== 'active' || !facts.appId) throw new TenantNotActiveError(facts.tenantStatus);
    return facts.appId;
  }

  /**
   * The one getticket, through TenantCalls: the gate, the quota block shared by both types (45009
   * → 429 QUOTA_EXCEEDED until the reset, no further getticket of either type), and one authorizer
   * token refresh and retry on 40001/42001.
   */
  private fetchTicket(tenantId: TenantId, type: JsTicketType): Promise<GetTicketResponse> {
    return this.calls.call(tenantId, 'getticket', (token) => this.api.getTicket(token, type));
  }

  /** Holding the (tenant, type) session lock: re-read (another instance may have refreshed), then fetch and store. */
  private async refreshUnderLock(key: string, failed: string | undefined, trigger: Trigger, marginMs?: number): Promise<string> {
    const { tenantId, type } = parseKey(key);
    const stored = await this.tickets.read(tenantId, type);
    if (storedTokenServes(stored.ticket, stored.expiresAt, failed, marginMs)) return stored.ticket;
    const reply = await this.fetchTicket(tenantId, type);
    const expiresAt = new Date(Date.now() + reply.expires_in * 1000);
    await storeUntilLanded(() => this.tickets.store(tenantId, type, reply.ticket, expiresAt), {
      onRetry: (e, attempt) =>
        this.logger.warn({ tenantId, attempt, err: (e as Error).message }, 'storing a JS-SDK ticket failed; retrying'),
    });
    this.refreshes.inc({ type, trigger: failed !== undefined ? 'invalidation' : trigger });
    this.logger.log({ tenantId, type, expiresAt: expiresAt.toISOString() }, 'JS-SDK ticket refreshed');
    await this.audit.record(tenantId, {
      ...systemActor('jssdk'),
      action: 'jssdk.ticket_refreshed',
      total: 1,
      succeeded: 1,
      invalid: 0,
      failed: 0,
      details: { type, trigger: failed !== undefined ? 'invalidation' : trigger, expiresAt: expiresAt.toISOString() },
    });
    return reply.ticket;
  }

  /**
   * The background renewal (JsTicketRenewer): tickets of active tenants due within the authorizer
   * tokens' renewal margin, each under a try-lock on its refresh lock (a ticket another instance
   * or a request is refreshing is skipped; the re-check under the lock means one getticket).
   */
  async renewDue(signal?: AbortSignal): Promise<number> {
    let renewed = 0;
    for (const { tenantId, type } of await this.tickets.dueForRenewal(RENEW_MARGIN_MS / 1000, RENEWAL_PAGE)) {
      if (signal?.aborted) break;
      try {
        // Out of quota: the ticket held is still handed out; renewing waits for the reset.
        if (await this.calls.admit(tenantId, 'getticket')) continue;
        await this.locks.holdIfFree(`wtg:jssdk-ticket:${keyOf(tenantId, type)}`, async () => {
          const stored = await this.tickets.read(tenantId, type);
          if (storedTokenServes(stored.ticket, stored.expiresAt, undefined, RENEW_MARGIN_MS)) return;
          await this.refreshUnderLock(keyOf(tenantId, type), undefined, 'renewal', RENEW_MARGIN_MS);
          renewed++;
        });
      } catch (e) {
        this.logger.warn(
          { tenantId, type, err: (e as Error).message },
          'background JS-SDK ticket renewal failed; next sweep retries',
        );
      }
    }
    return renewed;
  }
}

/** Absolute http(s), no fragment: WeChat signs the page URL without `#…`, and so must the caller. */
function checkSignableUrl(url: string): void {
  if (url.includes('#'))
    throw signatureUrlInvalid('url must not contain # or what follows it (sign location.href.split("#")[0])');
  // eslint-disable-next-line no-control-regex -- a page URL never holds control characters or spaces
  if (/[\u0000-\u0020\u007f]/.test(url)) throw signatureUrlInvalid('url must not contain spaces or control characters');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw signatureUrlInvalid('url must be an absolute URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw signatureUrlInvalid('url must be an http(s) URL');
  if (!/^https?:\/\//i.test(url)) throw signatureUrlInvalid('url must be an absolute http(s) URL');
}

function newNonceStr(): string {
  let out = '';
  while (out.length < 16) {
    for (const b of randomBytes(24)) if (b < 248 && out.length < 16) out += NONCE_ALPHABET[b % 62];
  }
  return out;
}
