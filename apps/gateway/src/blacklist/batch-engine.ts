import { Injectable, Logger } from '@nestjs/common';
import {
  BlacklistApi,
  type GetBlacklistResponse,
  MAX_OPENIDS_PER_BATCH,
  nextBlacklistCursor,
  requiredPermissionSets,
  type OfficialAccountApi,
  isOutcomeUnknown,
} from '@app/wechat';
import { AuthorizerTokensService } from '../authorizers/authorizer-tokens.service';
import type { TenantId } from '../tenants/tenant-id';
import type { TenantNotActiveError } from '../tenants/tenant.errors';
import { QuotaBlocksService } from '../wechat-call-budget/quota-blocks.service';
import { TenantCallLimiter } from '../wechat-call-budget/tenant-call-limiter';
import { BlacklistGate } from './blacklist-gate.service';
import { classifyBlacklistFailure, type FailureCode } from './blacklist-failure';
import type { BlacklistAction } from './openid-validation';

export const ACTION_API: Readonly<Record<BlacklistAction, 'batchblacklist' | 'batchunblacklist'>> = {
  block: 'batchblacklist',
  unblock: 'batchunblacklist',
};

export interface BatchAnswer {
  outcome: 'succeeded' | 'invalid' | 'failed';
  openids: string[];
  code: FailureCode | 'INVALID_OPENID' | null;
  message: string | null;
  /**
   * A failed call that may have reached WeChat (timeout, dropped connection): whether it was
   * applied is unknown. Jobs never report such openids failed before learning their state.
   */
  unknownOutcome?: boolean;
}

/** Why a run stopped sending; what is left unsent was not applied by WeChat. */
export type BatchStop =
  | { kind: 'quota'; api: string; until: Date }
  | { kind: 'permission'; required: number[]; granted: number[] }
  | { kind: 'tenant-not-active'; error: TenantNotActiveError };

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
    private readonly gate: BlacklistGate,
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
    const failure = classifyBlacklistFailure(e, run.api);
    switch (failure?.kind) {
      case undefined:
        throw e;
      case 'invalid-openid': {
        if (openids.length === 1) {
          await sink({ outcome: 'invalid', openids, code: 'INVALID_OPENID', message: failure.message });
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
        const { permissionSets } = await run.refreshOnce(async () => ({
          permissionSets: await this.gate.permissionSetsAfterRefusal(run.tenantId),
        }));
        run.stop ??= { kind: 'permission', required, granted: permissionSets };
        await sink({ outcome: 'failed', openids, code: failure.code, message: failure.message });
        return [];
      }
      case 'tenant-not-active':
        run.stop ??= { kind: 'tenant-not-active', error: failure.error };
        return openids;
      case 'failed':
        await sink({
          outcome: 'failed',
          openids,
          code: failure.code,
          message: failure.message,
          unknownOutcome: isOutcomeUnknown(e),
        });
        return [];
    }
  }

  /** One page of getblacklist from `begin` (WeChat's next_openid; '' = from the start). */
  async getblacklistPage(tenantId: TenantId, begin: string): Promise<GetBlacklistResponse> {
    return this.authorizers.callWithAccessToken(tenantId, (token) =>
      this.limiter.run(tenantId, () => this.api.getblacklist(token, begin)),
    );
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
        for (const id of page.data?.openid ?? []) if (wanted.has(id)) listed.add(id);
        const next = nextBlacklistCursor(page, cursor);
        if (next === null) return;
        if (listed.size === wanted.size && action === 'block') return;
        cursor = next;
      }
    });
    return action === 'block' ? listed : new Set(openids.filter((o) => !listed.has(o)));
  }
}
