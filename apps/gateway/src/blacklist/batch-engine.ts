import { Injectable } from '@nestjs/common';
import { BlacklistApi, type GetBlacklistResponse, MAX_OPENIDS_PER_BATCH, nextBlacklistCursor } from '@app/wechat';
import type { TenantId } from '../tenants/tenant-id';
import type { TenantNotActiveError } from '../tenants/tenant.errors';
import { TenantCallRun, TenantCalls } from '../tenant-calls/tenant-calls.service';
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

/**
 * State shared by every batch of one sync request or one job chunk. Its owner admits it
 * (TenantCalls.admit: the gate and the shared quota block) before the first batch.
 */
export class BatchRun extends TenantCallRun {
  stop?: BatchStop;

  constructor(
    readonly tenantId: TenantId,
    readonly action: BlacklistAction,
  ) {
    super();
  }

  get api(): 'batchblacklist' | 'batchunblacklist' {
    return ACTION_API[this.action];
  }
}

export type AnswerSink = (answer: BatchAnswer) => Promise<void>;

/**
 * The one way openids reach batchblacklist / batchunblacklist, shared by the sync route and
 * the job worker. A batch is all-or-nothing at WeChat, so an invalid-openid answer splits it
 * in halves, recursively, until every valid openid has succeeded and each bad one stands alone.
 * Every WeChat answer is handed to the sink before anything that depends on it is sent. Calls
 * go through TenantCalls; what stops a run (quota, permission, authorization) is read from its
 * errors.
 */
@Injectable()
export class BlacklistBatchEngine {
  constructor(
    private readonly calls: TenantCalls,
    private readonly api: BlacklistApi,
  ) {}

  /** Sends up to 20 openids. Returns those not sent because the run stopped (quota, permission, authorization). */
  async sendBatch(run: BatchRun, openids: string[], sink: AnswerSink): Promise<string[]> {
    if (openids.length === 0) return [];
    if (openids.length > MAX_OPENIDS_PER_BATCH) throw new Error(`sendBatch takes at most ${MAX_OPENIDS_PER_BATCH} openids`);
    if (run.stop) return openids;
    let sent: boolean;
    try {
      sent = await this.calls.call(
        run.tenantId,
        run.api,
        async (token) => {
          // Checked again once our turn comes: the run may have stopped while we queued.
          if (run.stop) return false;
          if (run.action === 'block') await this.api.batchblacklist(token, openids);
          else await this.api.batchunblacklist(token, openids);
          return true;
        },
        run,
      );
    } catch (e) {
      return this.onError(run, openids, e, sink);
    }
    if (!sent) return openids;
    await sink({ outcome: 'succeeded', openids, code: null, message: null });
    return [];
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
      case 'quota':
        run.stop ??= { kind: 'quota', api: run.api, until: failure.until };
        return openids;
      case 'set-missing':
        run.stop ??= { kind: 'permission', required: failure.required, granted: failure.granted };
        await sink({ outcome: 'failed', openids, code: 'PERMISSION_SET_MISSING', message: failure.message });
        return [];
      case 'tenant-not-active':
        run.stop ??= { kind: 'tenant-not-active', error: failure.error };
        return openids;
      case 'failed':
        await sink({
          outcome: 'failed',
          openids,
          code: failure.code,
          message: failure.message,
          unknownOutcome: failure.unknownOutcome,
        });
        return [];
    }
  }

  /** One page of getblacklist from `begin` (WeChat's next_openid; '' = from the start). */
  getblacklistPage(tenantId: TenantId, begin: string): Promise<GetBlacklistResponse> {
    return this.calls.call(tenantId, 'getblacklist', (token) => this.api.getblacklist(token, begin));
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
    const run = new TenantCallRun();
    for (let cursor = ''; ;) {
      const begin = cursor;
      const page = await this.calls.call(tenantId, 'getblacklist', (token) => this.api.getblacklist(token, begin), run);
      for (const id of page.data?.openid ?? []) if (wanted.has(id)) listed.add(id);
      const next = nextBlacklistCursor(page, cursor);
      if (next === null) break;
      if (listed.size === wanted.size && action === 'block') break;
      cursor = next;
    }
    return action === 'block' ? listed : new Set(openids.filter((o) => !listed.has(o)));
  }
}
