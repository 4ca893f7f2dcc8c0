import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthorizersModule } from '../authorizers/authorizers.module';
import { WeChatModule } from '../wechat/wechat.module';
import { BlacklistBatchEngine } from './batch-engine';
import { BlacklistController } from './blacklist.controller';
import { BlacklistGate } from './blacklist-gate.service';
import { BlacklistJobStore } from './blacklist-job-store';
import { BlacklistJobWorker } from './blacklist-job-worker.service';
import { BlacklistJobsController } from './blacklist-jobs.controller';
import { BlacklistJobsService } from './blacklist-jobs.service';
import { BlacklistService } from './blacklist.service';
import { IdempotencyService } from './idempotency.service';
import { BlacklistJobQueue } from './job-queue.service';
import { QuotaBlocksService } from './quota-blocks.service';
import { TenantCallLimiter } from './tenant-call-limiter';

/** Block, unblock and list a tenant's blacklist, synchronously or as durable jobs. */
@Module({
  imports: [WeChatModule, AuthorizersModule, AuditModule],
  controllers: [BlacklistController, BlacklistJobsController],
  providers: [
    BlacklistGate,
    BlacklistBatchEngine,
    TenantCallLimiter,
    QuotaBlocksService,
    IdempotencyService,
    BlacklistService,
    BlacklistJobQueue,
    BlacklistJobStore,
    BlacklistJobsService,
    BlacklistJobWorker,
  ],
})
export class BlacklistModule {}
