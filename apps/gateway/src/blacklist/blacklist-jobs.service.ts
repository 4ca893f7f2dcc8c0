import { Injectable } from '@nestjs/common';
import { ValidationError } from '@app/common';
import { ACTION_API } from './batch-engine';
import { JobNotFoundError } from './blacklist.errors';
import { BlacklistGate } from './blacklist-gate.service';
import { BlacklistJobStore, type JobRow } from './blacklist-job-store';
import type { RequestContext } from './blacklist.service';
import type { BlacklistJobDto, ItemOutcome, JobAcceptedDto, JobItemsPage } from './dto/blacklist.dto';
import { BlacklistJobQueue } from './job-queue.service';
import { assertOnlyKeys, JOB_MAX_OPENIDS, validateAction, validateOpenIds } from './openid-validation';
import type { TenantId } from '../tenants/tenant-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Blacklist jobs as the API sees them: create (202), read, list items, cancel. */
@Injectable()
export class BlacklistJobsService {
  constructor(
    private readonly store: BlacklistJobStore,
    private readonly queue: BlacklistJobQueue,
    private readonly gate: BlacklistGate,
  ) {}

  async create(tenantId: TenantId, body: unknown, ctx: Omit<RequestContext, 'idempotencyKey'>): Promise<JobAcceptedDto> {
    const fields = assertOnlyKeys(body, ['action', 'openids']);
    const action = validateAction(fields.action);
    const openids = validateOpenIds(fields.openids, JOB_MAX_OPENIDS);
    // Refused up front, like the sync routes; the worker checks again before every chunk.
    await this.gate.assertAllowed(tenantId, ACTION_API[action]);
    const job = await this.store.create(
      tenantId,
      { action, openids, actor: ctx.caller.actor, requestId: ctx.requestId },
      (tx, jobId) => this.queue.send({ tenantId, jobId }, { tx }),
    );
    return { id: job.id, action, status: 'queued', total: job.total };
  }

  async get(tenantId: TenantId, jobId: string): Promise<BlacklistJobDto> {
    return toDto(await this.find(tenantId, jobId));
  }

  async items(
    tenantId: TenantId,
    jobId: string,
    query: { outcome?: ItemOutcome; cursor?: string; limit?: number },
  ): Promise<JobItemsPage> {
    await this.find(tenantId, jobId);
    const limit = query.limit ?? 100;
    const afterSeq = query.cursor === undefined ? -1 : decodeItemCursor(query.cursor);
    const rows = await this.store.listItems(tenantId, jobId, { outcome: query.outcome, afterSeq, limit: limit + 1 });
    const page = rows.slice(0, limit);
    return {
      items: page.map((r) => ({ openid: r.openid, outcome: r.outcome, code: r.code, message: r.message })),
      nextCursor: rows.length > limit ? encodeItemCursor(page[page.length - 1].seq) : null,
    };
  }

  /**
   * Unsent openids end `cancelled`; chunks being sent finish. Cancelling twice is fine, and so is
   * cancelling a job that already finished (a small job can finish before the DELETE arrives):
   * nothing is left to cancel, so the reply is the job's final state, unchanged.
   */
  async cancel(tenantId: TenantId, jobId: string): Promise<BlacklistJobDto> {
    if (!UUID.test(jobId)) throw new JobNotFoundError();
    const job = await this.store.cancel(tenantId, jobId);
    if (!job) throw new JobNotFoundError();
    const current = (await this.store.finalizeIfDone(tenantId, jobId)) ?? job;
    return toDto(current);
  }

  private async find(tenantId: TenantId, jobId: string): Promise<JobRow> {
    // Another tenant's job id is as unknown here as a made-up one.
    if (!UUID.test(jobId)) throw new JobNotFoundError();
    const job = await this.store.get(tenantId, jobId);
    if (!job) throw new JobNotFoundError();
    return job;
  }
}

function toDto(j: JobRow): BlacklistJobDto {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    id: j.id,
    action: j.action,
    status: j.status,
    total: j.total,
    processed: j.succeeded + j.invalid + j.failed,
    succeeded: j.succeeded,
    invalid: j.invalid,
    failed: j.failed,
    cancelled: j.cancelled,
    createdAt: iso(j.created_at)!,
    startedAt: iso(j.started_at),
    finishedAt: iso(j.finished_at),
    resumeAt: j.status === 'paused' ? iso(j.resume_at) : null,
    error: j.error_code ? { code: j.error_code, message: j.error_message ?? j.error_code } : null,
  };
}

const encodeItemCursor = (seq: number) => Buffer.from(`i${seq}`).toString('base64url');

function decodeItemCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^i\d{1,9}$/.test(text))
    throw new ValidationError('The request is invalid.', { fields: [{ field: 'cursor', messages: ['cursor is not valid'] }] });
  return Number(text.slice(1));
}
