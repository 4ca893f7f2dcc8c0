import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthorizersModule } from '../authorizers/authorizers.module';
import { BlacklistModule } from '../blacklist/blacklist.module';
import { WeChatModule } from '../wechat/wechat.module';
import { WeChatCallBudgetModule } from '../wechat-call-budget/wechat-call-budget.module';
import { WeChatProxyController } from './wechat-proxy.controller';
import { WeChatProxyService } from './wechat-proxy.service';

/**
 * Any Official Account API for a tenant through the gateway. The gate (BlacklistGate.assertReady
 * over the library's path table) and the gate's errors come from blacklist/, the one place the
 * readiness rule is turned into errors.
 */
@Module({
  imports: [WeChatModule, AuthorizersModule, BlacklistModule, WeChatCallBudgetModule, AuditModule],
  controllers: [WeChatProxyController],
  providers: [WeChatProxyService],
})
export class WeChatProxyModule {}
