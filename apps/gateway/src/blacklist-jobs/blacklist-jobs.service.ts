import { Injectable } from '@nestjs/common';
import type { Caller } from '../platform/auth';
import { ACTION_API } from '../blacklist/batch-engine';
import { TenantCalls } from '../tenant-calls/tenant-calls.service';
import type { TenantId } from '../tenants/tenant-id';
import { sequenceCursor } from '../platform/validation/page-cursor';
import { BlacklistJobWorker } from './blacklist-job-worker.service';
import { JobNotFoundError } from './blacklist-jobs.errors';
import { BlacklistJobsRepository } from './blacklist-jobs.repository';
import { toJobView } from './job-view';
import type { BlacklistJobDto, CreateBlacklistJobRequest, JobAcceptedDto, JobItemsPage } from './dto/blacklist-jobs.dto';
import { BlacklistJobQueue } from './job-queue.service';
import type { BlacklistJob } from './job-records';
import type { ItemOutcome } from './job-status';
import type { StreamedJobBody } from './streamed-job-body';

/** A job's items page in submission order by their sequence within the job. */
const ITEM_CURSOR = sequenceCursor('i', 9);

/** Blacklist jobs as the API sees them: create (202), read, list items, cancel. */
@Injectable()
export class BlacklistJobsService {
  constructor(
    private readonly jobs: BlacklistJobsRepository,
    private readonly queue: BlacklistJobQueue,
    private readonly calls: TenantCalls,
    private readonly worker: BlacklistJobWorker,
  ) {}

  /** `request`: validated by CreateBlacklistJobBodyPipe (distinct openids, at most JOB_MAX_OPENIDS). */
  async create(
    tenantId: TenantId,
    { action, openids }: CreateBlacklistJobRequest,
    ctx: { caller: Caller; requestId: string },
  ): Promise<JobAcceptedDto> {
    // Refused up front, like the sync routes; the worker checks again before every chunk (and
    // pauses on a quota block, so one does not refuse the job).
    await this.calls.admit(tenantId, ACTION_API[action]);
    const job = await this.jobs.create(
      tenantId,
      { action, openids, actor: ctx.caller.actor, actorName: ctx.caller.name ?? null, requestId: ctx.requestId },
      (tx, jobId) => this.queue.send({ tenantId, jobId }, { tx }),
    );
    return { id: job.id, action, status: 'queued', total: job.total };
  }

  /** A job whose openids arrive as a stream (StreamedJobBody): never held in memory whole. */
  async createStreamed(
    tenantId: TenantId,
    body: StreamedJobBody,
    ctx: { caller: Caller; requestId: string },
  ): Promise<JobAcceptedDto> {
    const action = await body.action();
    await this.calls.admit(tenantId, ACTION_API[action]);
    const job = await this.jobs.createStreamed(
      tenantId,
      { action, actor: ctx.caller.actor, actorName: ctx.caller.name ?? null, requestId: ctx.requestId },
      body.batches(),
      (tx, jobId) => this.queue.send({ tenantId, jobId }, { tx }),
    );
    return { id: job.id, action, status: 'queued', total: job.total };
  }

  async get(tenantId: TenantId, jobId: string): Promise<BlacklistJobDto> {
    return toJobView(await this.find(tenantId, jobId));
  }

  async items(
    tenantId: TenantId,
    jobId: string,
    query: { outcome?: ItemOutcome; cursor?: string; limit?: number },
  ): Promise<JobItemsPage> {
    await this.find(tenantId, jobId);
    const limit = query.limit ?? 100;
    const afterSeq = query.cursor === undefined ? -1 : Number(ITEM_CURSOR.decode(query.cursor));
    const rows = await this.jobs.listItems(tenantId, jobId, { outcome: query.outcome, afterSeq, limit: limit + 1 });
    const page = rows.slice(0, limit);
    return {
      items: page.map((r) => ({ openid: r.openid, outcome: r.outcome, code: r.code, message: r.message })),
      nextCursor: rows.length > limit ? ITEM_CURSOR.encode(String(page[page.length - 1].seq)) : null,
    };
  }

  /**
   * Unsent openids end `cancelled`; chunks being sent finish. Cancelling twice is fine, and so is
   * cancelling a job that already finished (a small job can finish before the DELETE arrives):
   * nothing is left to cancel, so the reply is the job's final state, unchanged.
   */
  async cancel(tenantId: TenantId, jobId: string): Promise<BlacklistJobDto> {
    // Openids of unknown outcome left to read back: a worker comes for them now, not at a quota reset.
    const job = await this.jobs.cancel(tenantId, jobId, (tx) => this.queue.send({ tenantId, jobId }, { tx }));
    if (!job) throw new JobNotFoundError();
    const current = (await this.worker.finalize(tenantId, jobId)) ?? job;
    return toJobView(current);
  }

  private async find(tenantId: TenantId, jobId: string): Promise<BlacklistJob> {
    // Another tenant's job id is as unknown here as a made-up one (the :jobId pipe answers the same for garbage).
    const job = await this.jobs.get(tenantId, jobId);
    if (!job) throw new JobNotFoundError();
    return job;
  }
}
