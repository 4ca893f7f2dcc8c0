import { WebhooksModule } from '../webhooks/webhooks.module';
import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { BlacklistModule } from '../blacklist/blacklist.module';
import { TenantCallsModule } from '../tenant-calls/tenant-calls.module';
import { BlacklistJobChunksRepository } from './blacklist-job-chunks.repository';
import { BlacklistJobWorker } from './blacklist-job-worker.service';
import { BlacklistJobsController } from './blacklist-jobs.controller';
import { BlacklistJobsRepository } from './blacklist-jobs.repository';
import { BlacklistJobsService } from './blacklist-jobs.service';
import { ChunkSender } from './chunk-sender';
import { BlacklistJobQueue } from './job-queue.service';
import { JobItemsRetention } from './job-items-retention.schedule';

/** Durable blacklist jobs of up to a million openids: the API, the pg-boss queue and the worker. */
@Module({
  imports: [BlacklistModule, AuditModule, TenantCallsModule, WebhooksModule],
  controllers: [BlacklistJobsController],
  providers: [
    BlacklistJobsRepository,
    BlacklistJobChunksRepository,
    BlacklistJobQueue,
    BlacklistJobsService,
    BlacklistJobWorker,
    ChunkSender,
    JobItemsRetention,
  ],
  exports: [BlacklistJobsService], // the operator console cancels jobs
})
export class BlacklistJobsModule {}
