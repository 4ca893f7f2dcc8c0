import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { WeChatModule } from '../platform/wechat-clients/wechat-clients.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { TenantCallsModule } from '../tenant-calls/tenant-calls.module';
import { BlacklistBatchEngine } from './batch-engine';
import { BlacklistController } from './blacklist.controller';
import { BlacklistService } from './blacklist.service';

/**
 * Block, unblock and list a tenant's blacklist synchronously; the batch engine (the one way
 * openids reach WeChat, through TenantCalls) is shared with the jobs (blacklist-jobs/).
 */
@Module({
  imports: [WeChatModule, AuditModule, TenantCallsModule, IdempotencyModule],
  controllers: [BlacklistController],
  providers: [BlacklistBatchEngine, BlacklistService],
  exports: [BlacklistBatchEngine],
})
export class BlacklistModule {}
