import type { BlacklistJobDto } from './dto/blacklist-jobs.dto';
import type { BlacklistJob } from './job-records';

/** What GET .../blacklist/jobs/:jobId answers, and what job webhook events carry as `job`. */
export function toJobView(j: BlacklistJob): BlacklistJobDto {
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
    createdAt: iso(j.createdAt)!,
    startedAt: iso(j.startedAt),
    finishedAt: iso(j.finishedAt),
    resumeAt: j.status === 'paused' ? iso(j.resumeAt) : null,
    error: j.errorCode ? { code: j.errorCode, message: j.errorMessage ?? j.errorCode } : null,
    details: { resentAfterUnknownOutcome: j.resentAfterUnknownOutcome ?? 0 },
  };
}
