import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '@app/common';
import {
  BlacklistApi,
  MAX_OPENIDS_PER_BATCH,
  requiredPermissionSets,
  WeChatApiError,
  WeChatTransportError,
  type OfficialAccountApi,
} from '@app/wechat';
import { AuthorizerAccountsService } from '../authorizers/authorizer-accounts.service';
import { AuthorizerTokensService } from '../authorizers/authorizer-tokens.service';
import { TenantNotActiveError } from '../tenants/tenant.errors';
import type { BlacklistAction } from './openid-validation';
import { QuotaBlocksService } from './quota-blocks.service';
import { TenantCallLimiter } from './tenant-call-limiter';
import type { TenantId } from '../tenants/tenant-id';

export const ACTION_API: Readonly<Record<BlacklistAction, 'batchblacklist' | 'batchunblacklist'>> = {
  block: 'batchblacklist',
  unblock: 'batchunblacklist',
};

/**
 * Failure codes an openid can end with (`failed[].code`, job item `code`):
 * - WECHAT_UNAVAILABLE: network error, timeout, HTTP 5xx or errcode -1, after the library's retries
 * - RATE_LIMITED: 45011 still returned after the library waited it out
 * - QUOTA_EXCEEDED: 45009, or not sent because the daily quota was already spent (sync only;
 *   a job pauses instead)
 * - API_UNAUTHORIZED: 48001, the account may not use the API (not retried)
 * - PERMISSION_SET_MISSING: 61007, the authorization lacks the API's permission set
 * - WECHAT_TOKEN_INVALID: the token was still rejected after one refresh and retry
 * - TENANT_NOT_ACTIVE: the authorization ended (revoked, refresh token dead) mid-way
 * - WECHAT_API_ERROR: any other errcode (the message carries it)
 * - any other gateway error code raised while obtaining a token (e.g. COMPONENT_TICKET_MISSING)
 * Invalid openids (40003, 49003) are not failures: they end `invalid` with code INVALID_OPENID.
 */
export type FailureCode = string;

export interface BatchAnswer {
  outcome: 'succeeded' | 'invalid' | 'failed';
  openids: string[];
  code: string | null;
  message: string | null;
}

/** Why a run stopped sending; what is left unsent was not applied by WeChat. */
export type BatchStop =
  | { kind: 'quota'; api: string; until: Date }
  | { kind: 'permission'; required: number[]; granted: number[] }
  | { kind: 'tenant-not-active'; error: DomainError };

/** State shared by every batch of one sync request or one job chunk. */
export class BatchRun {
  stop?: BatchStop;
  private infoRefresh?: Promise<{ permissionSets: number[] }>;

  constructor(
    readonly tenantId: TenantId,
    readonly action: BlacklistAction,
  ) {}

  get api(): 'batchblacklist' | 'batchunblacklist' {
    return ACTION_API[this.action];
  }

  /** 61007 may come back from several batches at once; the authorizer info is re-read once per run. */
  refreshOnce(fn: () => Promise<{ permissionSets: number[] }>): Promise<{ permissionSets: number[] }> {
    this.infoRefresh ??= fn();
    return this.infoRefresh;
  }
}

export type AnswerSink = (answer: BatchAnswer) => Promise<void>;

/**
 * The one way openids reach batchblacklist / batchunblacklist, shared by the sync route and
 * the job worker. A batch is all-or-nothing at WeChat, so an invalid-openid answer splits it
 * in halves, recursively, until every valid openid has succeeded and each bad one stands alone.
 * Every WeChat answer is handed to the sink before anything that depends on it is sent.
 */
@Injectable()
export class BlacklistBatchEngine {
  private readonly logger = new Logger(BlacklistBatchEngine.name);

  constructor(
    private readonly authorizers: AuthorizerTokensService,
    private readonly accounts: AuthorizerAccountsService,
    private readonly api: BlacklistApi,
    private readonly limiter: TenantCallLimiter,
    private readonly quota: QuotaBlocksService,
  ) {}

  /** Sends up to 20 openids. Returns those not sent because the run stopped (quota, permission, authorization). */
  async sendBatch(run: BatchRun, openids: string[], sink: AnswerSink): Promise<string[]> {
    if (openids.length === 0) return [];
    if (openids.length > MAX_OPENIDS_PER_BATCH) throw new Error(`sendBatch takes at most ${MAX_OPENIDS_PER_BATCH} openids`);
    if (this.stopped(run)) return openids;
    let sent: boolean;
    try {
      sent = await this.authorizers.callWithAccessToken(run.tenantId, (token) =>
        this.limiter.run(run.tenantId, async () => {
          // Checked again once our turn comes: the run may have stopped while we queued.
          if (this.stopped(run)) return false;
          if (run.action === 'block') await this.api.batchblacklist(token, openids);
          else await this.api.batchunblacklist(token, openids);
          return true;
        }),
      );
    } catch (e) {
      return this.onError(run, openids, e, sink);
    }
    if (!sent) return openids;
    await sink({ outcome: 'succeeded', openids, code: null, message: null });
    return [];
  }

  /** True when the run must not send: it stopped, or the API is known to be out of quota. */
  private stopped(run: BatchRun): boolean {
    if (run.stop) return true;
    const blocked = this.quota.cachedBlockedUntil(run.tenantId, run.api);
    if (!blocked) return false;
    run.stop = { kind: 'quota', api: run.api, until: blocked };
    return true;
  }

  private async onError(run: BatchRun, openids: string[], e: unknown, sink: AnswerSink): Promise<string[]> {
    if (e instanceof WeChatApiError) {
      switch (e.kind) {
        case 'invalid-openid': {
          if (openids.length === 1) {
            await sink({
              outcome: 'invalid',
              openids,
              code: 'INVALID_OPENID',
              message: `WeChat rejected the openid (errcode ${e.errcode}).`,
            });
            return [];
          }
          const half = Math.ceil(openids.length / 2);
          const [left, right] = await Promise.all([
            this.sendBatch(run, openids.slice(0, half), sink),
            this.sendBatch(run, openids.slice(half), sink),
          ]);
          return [...left, ...right];
        }
        case 'quota-daily': {
          const until = await this.quota.block(run.tenantId, run.api);
          this.logger.warn(
            { tenantId: run.tenantId, api: run.api, until: until.toISOString() },
            'daily quota reached; calls stop until the reset',
          );
          run.stop ??= { kind: 'quota', api: run.api, until };
          return openids;
        }
        case 'set-missing': {
          const required = [...requiredPermissionSets(run.api as OfficialAccountApi)];
          const { permissionSets } = await run
            .refreshOnce(() => this.accounts.refreshAuthorizerInfo(run.tenantId))
            .catch((refreshError) => {
              this.logger.warn(
                { tenantId: run.tenantId, err: String(refreshError?.message ?? refreshError) },
                'could not re-read authorizer info after 61007',
              );
              return { permissionSets: [] as number[] };
            });
          run.stop ??= { kind: 'permission', required, granted: permissionSets };
          await sink({
            outcome: 'failed',
            openids,
            code: 'PERMISSION_SET_MISSING',
            message: `WeChat refused ${run.api}: permission set missing (errcode 61007).`,
          });
          return [];
        }
        case 'api-unauthorized':
          await sink({
            outcome: 'failed',
            openids,
            code: 'API_UNAUTHORIZED',
            message: `WeChat does not allow ${run.api} for this account (errcode ${e.errcode}).`,
          });
          return [];
        default:
          await sink({ outcome: 'failed', openids, code: failureCodeOf(e), message: e.message });
          return [];
      }
    }
    if (e instanceof WeChatTransportError) {
      await sink({ outcome: 'failed', openids, code: 'WECHAT_UNAVAILABLE', message: e.message });
      return [];
    }
    if (e instanceof TenantNotActiveError) {
      run.stop ??= { kind: 'tenant-not-active', error: e };
      return openids;
    }
    if (e instanceof DomainError) {
      await sink({ outcome: 'failed', openids, code: e.code, message: e.message });
      return [];
    }
    throw e;
  }

  /**
   * Which of these openids are already where the action would put them (blocked for block,
   * absent for unblock), read from getblacklist. Used for a chunk a dead worker may have sent
   * without recording the answer, so it is not sent a second time. Pages are streamed; only
   * the asked-for openids are kept.
   */
  async alreadyApplied(tenantId: TenantId, action: BlacklistAction, openids: string[]): Promise<Set<string>> {
    const wanted = new Set(openids);
    const listed = new Set<string>();
    await this.authorizers.callWithAccessToken(tenantId, async (token) => {
      listed.clear();
      let cursor = '';
      for (;;) {
        const page = await this.limiter.run(tenantId, () => this.api.getblacklist(token, cursor));
        const ids = page.data?.openid ?? [];
        for (const id of ids) if (wanted.has(id)) listed.add(id);
        if (page.count === 0 || ids.length === 0 || !page.next_openid || page.next_openid === cursor) return;
        if (listed.size === wanted.size && action === 'block') return;
        cursor = page.next_openid;
      }
    });
    return action === 'block' ? listed : new Set(openids.filter((o) => !listed.has(o)));
  }
}

function failureCodeOf(e: WeChatApiError): FailureCode {
  switch (e.kind) {
    case 'retryable':
      return 'WECHAT_UNAVAILABLE';
    case 'quota-minute':
      return 'RATE_LIMITED';
    case 'token-invalid':
      return 'WECHAT_TOKEN_INVALID';
    default:
      return 'WECHAT_API_ERROR';
  }
}
