import { Injectable, Logger } from '@nestjs/common';
import { ValidationError } from '@app/common';
import { MAX_OPENIDS_PER_BATCH, nextBlacklistCursor, WeChatApiError } from '@app/wechat';
import { AuditService } from '../audit/audit.service';
import type { Caller } from '../platform/auth';
import { storeSoonOrLater } from '../platform/database/database-unavailable';
import { IdempotencyService, requestHash } from '../idempotency/idempotency.service';
import type { TenantId } from '../tenants/tenant-id';
import { PermissionSetMissingError, QuotaExceededError } from '../tenant-calls/tenant-calls.errors';
import { TenantCalls } from '../tenant-calls/tenant-calls.service';
import { type BatchAnswer, BatchRun, BlacklistBatchEngine } from './batch-engine';
import type { BlacklistChangeResult, BlacklistPage, OpenidFailureDto } from './dto/blacklist.dto';
import type { BlacklistAction } from './openid-validation';

export interface RequestContext {
  caller: Caller;
  requestId: string;
  idempotencyKey?: string;
}

/** How long a reply waits for its audit write while the database is unreachable before answering anyway. */
const AUDIT_WAIT_MS = 10_000;

/** Synchronous block/unblock (up to 1000 openids) and one page of the blacklist. */
@Injectable()
export class BlacklistService {
  private readonly logger = new Logger(BlacklistService.name);

  constructor(
    private readonly calls: TenantCalls,
    private readonly engine: BlacklistBatchEngine,
    private readonly idempotency: IdempotencyService,
    private readonly audit: AuditService,
  ) {}

  /** `openids`: distinct and valid (BlacklistChangeBodyPipe), at most SYNC_MAX_OPENIDS. */
  async change(
    tenantId: TenantId,
    action: BlacklistAction,
    openids: string[],
    ctx: RequestContext,
  ): Promise<BlacklistChangeResult> {
    const run = new BatchRun(tenantId, action);
    // The gate refuses before an idempotency key is claimed. Another instance may have hit the
    // daily quota: the shared block is read before sending (an idempotent replay still answers).
    const blocked = await this.calls.admit(tenantId, run.api, run);
    if (blocked) run.stop = { kind: 'quota', api: run.api, until: blocked };
    const key = ctx.idempotencyKey;
    if (key) {
      const claim = await this.idempotency.claim<BlacklistChangeResult>(tenantId, key, requestHash(action, openids));
      if (claim.kind === 'replay') return claim.response;
    }
    try {
      const result = await this.apply(run, openids, ctx);
      if (key) await this.idempotency.complete(tenantId, key, result);
      return result;
    } catch (e) {
      if (key) await this.idempotency.release(tenantId, key).catch(() => undefined);
      throw e;
    }
  }

  private async apply(run: BatchRun, openids: string[], ctx: RequestContext): Promise<BlacklistChangeResult> {
    const { tenantId, action } = run;
    const answers: BatchAnswer[] = [];
    const sink = async (answer: BatchAnswer) => void answers.push(answer);
    const batches: string[][] = [];
    for (let i = 0; i < openids.length; i += MAX_OPENIDS_PER_BATCH) batches.push(openids.slice(i, i + MAX_OPENIDS_PER_BATCH));
    // The limiter bounds calls in flight and their rate; batches wait their turn there.
    await Promise.all(batches.map((batch) => this.engine.sendBatch(run, batch, sink)));
    const result = resultOf(action, openids, answers, run);
    // WeChat has applied the change: a database blip must not turn it into an error.
    const audited = {
      actor: ctx.caller.actor,
      actorName: ctx.caller.name ?? null,
      action,
      total: result.total,
      succeeded: result.succeeded.length,
      invalid: result.invalid.length,
      failed: result.failed.length,
      requestId: ctx.requestId,
    };
    await storeSoonOrLater(() => this.audit.record(tenantId, audited), AUDIT_WAIT_MS, this.logger, 'audit event');
    const stop = run.stop;
    if (stop?.kind === 'permission') throw new PermissionSetMissingError(stop.required, stop.granted);
    if (result.succeeded.length === 0 && stop?.kind === 'quota') {
      throw new QuotaExceededError(stop.api, stop.until, {
        total: result.total,
        invalid: result.invalid.length,
        failed: result.failed.length,
      });
    }
    if (result.succeeded.length === 0 && stop?.kind === 'tenant-not-active') throw stop.error;
    return result;
  }

  /** One page of getblacklist; `cursor` is WeChat's next_openid. */
  async page(tenantId: TenantId, cursor: string | undefined): Promise<BlacklistPage> {
    const begin = cursor ?? '';
    try {
      const page = await this.engine.getblacklistPage(tenantId, begin);
      return { total: page.total, openids: page.data?.openid ?? [], nextCursor: nextBlacklistCursor(page, begin) };
    } catch (e) {
      if (e instanceof WeChatApiError && e.kind === 'invalid-openid') {
        throw new ValidationError('The request is invalid.', {
          fields: [{ field: 'cursor', messages: ['cursor is not an openid on this blacklist'] }],
        });
      }
      throw e;
    }
  }
}

/** The answers in the request's order; openids without one were not sent (the run stopped). */
function resultOf(action: BlacklistAction, openids: string[], answers: BatchAnswer[], run: BatchRun): BlacklistChangeResult {
  const result: BlacklistChangeResult = { action, total: openids.length, succeeded: [], invalid: [], failed: [] };
  const byOpenid = new Map<string, BatchAnswer>();
  for (const answer of answers) for (const openid of answer.openids) byOpenid.set(openid, answer);
  for (const openid of openids) {
    const answer = byOpenid.get(openid);
    if (!answer) result.failed.push(unsentFailure(openid, run));
    else if (answer.outcome === 'succeeded') result.succeeded.push(openid);
    else if (answer.outcome === 'invalid') result.invalid.push(openid);
    else result.failed.push({ openid, code: answer.code!, message: answer.message! });
  }
  return result;
}

function unsentFailure(openid: string, run: BatchRun): OpenidFailureDto {
  const stop = run.stop;
  switch (stop?.kind) {
    case 'quota':
      return {
        openid,
        code: 'QUOTA_EXCEEDED',
        message: `WeChat's daily quota for ${stop.api} is used up until ${stop.until.toISOString()}; not sent.`,
      };
    case 'tenant-not-active':
      return { openid, code: 'TENANT_NOT_ACTIVE', message: `${stop.error.message} Not sent.` };
    case 'permission':
      return { openid, code: 'PERMISSION_SET_MISSING', message: 'The authorization lacks the permission set; not sent.' };
    default:
      return { openid, code: 'INTERNAL', message: 'Not sent.' };
  }
}
