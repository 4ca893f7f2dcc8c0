import { Module } from '@nestjs/common';
import { BlacklistApi, WeChatHttp } from '@app/wechat';
import { AuditModule } from '../audit/audit.module';
import { AuthorizersModule } from '../authorizers/authorizers.module';
import { ComponentModule } from '../component/component.module';
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
  imports: [ComponentModule, AuthorizersModule, AuditModule, WeChatCallBudgetModule, IdempotencyModule],
  controllers: [BlacklistController],
  providers: [
    // The typed client on the process's one WeChat HTTP client (keep-alive, retries).
    { provide: BlacklistApi, inject: [WeChatHttp], useFactory: (http: WeChatHttp) => new BlacklistApi(http) },
    BlacklistGate,
    BlacklistBatchEngine,
    BlacklistService,
  ],
  exports: [BlacklistGate, BlacklistBatchEngine],
})
export class BlacklistModule {}
