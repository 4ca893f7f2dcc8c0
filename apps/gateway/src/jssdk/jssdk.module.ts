import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthorizersModule } from '../authorizers/authorizers.module';
import { WeChatCallBudgetModule } from '../wechat-call-budget/wechat-call-budget.module';
import { WeChatModule } from '../wechat/wechat.module';
import { GetTicketCall } from './get-ticket.call';
import { JsTicketsRepository } from './js-tickets.repository';
import { JsSdkController } from './jssdk.controller';
import { JsSdkService } from './jssdk.service';

/** JS-SDK for the merchants' H5 pages: the account's tickets and wx.config signatures. */
@Module({
  imports: [WeChatModule, AuthorizersModule, WeChatCallBudgetModule, AuditModule],
  controllers: [JsSdkController],
  providers: [JsTicketsRepository, GetTicketCall, JsSdkService],
})
export class JsSdkModule {}
