/** A job's lifecycle. `queued`, `running` and `paused` are open; the rest are final. */
export const JOB_STATUSES = ['queued', 'running', 'paused', 'succeeded', 'partially_failed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['succeeded', 'partially_failed', 'failed', 'cancelled']);

/** Where one openid of a job stands. */
export const ITEM_OUTCOMES = ['succeeded', 'invalid', 'failed', 'pending', 'cancelled'] as const;
export type ItemOutcome = (typeof ITEM_OUTCOMES)[number];

/**
 * The status a job ends with once no chunk is open. It mirrors the `failed` bucket: invalid
 * openids are the caller's data, reported per item, not a failure of the job (as in the
 * synchronous reply, where they are separate). A cancelled job stays cancelled.
 */
export function jobFinalStatus(job: { status: JobStatus; succeeded: number; failed: number }): JobStatus {
  if (job.status === 'cancelled') return 'cancelled';
  if (job.failed === 0) return 'succeeded';
  return job.succeeded === 0 ? 'failed' : 'partially_failed';
}
