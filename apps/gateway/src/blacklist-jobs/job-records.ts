import { MAX_OPENIDS_PER_BATCH } from '@app/wechat';
import type { BlacklistAction } from '../blacklist/openid-validation';
import type { TenantId } from '../tenants/tenant-id';
import type { ItemOutcome, JobStatus } from './job-status';

/** Openids per chunk: one WeChat batch. Item `seq` / CHUNK_SIZE is its chunk. */
export const CHUNK_SIZE = MAX_OPENIDS_PER_BATCH;

export type JobActor = 'operator' | 'tenant';

/** A blacklist job as the repositories hand it out. */
export interface BlacklistJob {
  id: string;
  tenantId: TenantId;
  action: BlacklistAction;
  status: JobStatus;
  total: number;
  succeeded: number;
  invalid: number;
  failed: number;
  cancelled: number;
  resentAfterUnknownOutcome: number;
  actor: JobActor;
  /** Which key created the job, as the audit trail names it (null for jobs created before names were kept). */
  actorName: string | null;
  requestId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  resumeAt: Date | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface JobItem {
  seq: number;
  openid: string;
  outcome: ItemOutcome;
  code: string | null;
  message: string | null;
}

export interface ClaimedChunk {
  chunkNo: number;
  /** It was in flight under a worker whose lease lapsed: WeChat may already have applied it. */
  reclaimed: boolean;
  /** Transient failures recorded for it so far (by any process); 0 when its retry window is not open. */
  transientFailures: number;
  /** Its openids still pending when it was claimed, in order. */
  pending: string[];
}

/** A chunk this process is sending, named for lease renewal. */
export interface HeldChunk {
  tenantId: TenantId;
  jobId: string;
  chunkNo: number;
}

/** The seq range of a chunk's openids, inclusive. */
export const chunkSeqs = (chunkNo: number): [number, number] => [chunkNo * CHUNK_SIZE, chunkNo * CHUNK_SIZE + CHUNK_SIZE - 1];
