import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthorizersModule } from '../authorizers/authorizers.module';
import { WeChatModule } from '../wechat/wechat.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { WeChatCallBudgetModule } from '../wechat-call-budget/wechat-call-budget.module';
import { BlacklistBatchEngine } from './batch-engine';
import { BlacklistController } from './blacklist.controller';
import { BlacklistGate } from './blacklist-gate.service';
import { BlacklistService } from './blacklist.service';

/**
 * Block, unblock and list a tenant's blacklist synchronously; the gate and the batch engine
 * (the one way openids reach WeChat) are shared with the jobs (blacklist-jobs/).
 */
@Module({
  imports: [WeChatModule, AuthorizersModule, AuditModule, WeChatCallBudgetModule, IdempotencyModule],
  controllers: [BlacklistController],
  providers: [BlacklistGate, BlacklistBatchEngine, BlacklistService],
  exports: [BlacklistGate, BlacklistBatchEngine],
})
export class BlacklistModule {}
