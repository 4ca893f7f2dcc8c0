import { WebhooksModule } from '../webhooks/webhooks.module';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { BlacklistModule } from '../blacklist/blacklist.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { TenantCallsModule } from '../tenant-calls/tenant-calls.module';
import { BlacklistJobChunksRepository } from './blacklist-job-chunks.repository';
import { BlacklistJobWorker } from './blacklist-job-worker.service';
import { BlacklistJobsController } from './blacklist-jobs.controller';
import { BlacklistJobsRepository } from './blacklist-jobs.repository';
import { BlacklistJobsService } from './blacklist-jobs.service';
import { ChunkSender } from './chunk-sender';
import { BlacklistJobQueue } from './job-queue.service';

/** Durable blacklist jobs of up to a million openids: the API, the pg-boss queue and the worker. */
@Module({
  // IdempotencyModule and TenantCalls (quota blocks): the worker's hourly housekeeping sweeps their tables.
  imports: [BlacklistModule, AuditModule, TenantCallsModule, IdempotencyModule, WebhooksModule],
  controllers: [BlacklistJobsController],
  providers: [
    BlacklistJobsRepository,
    BlacklistJobChunksRepository,
    BlacklistJobQueue,
    BlacklistJobsService,
    BlacklistJobWorker,
    ChunkSender,
  ],
  exports: [BlacklistJobsService], // the operator console cancels jobs
})
export class BlacklistJobsModule {}
