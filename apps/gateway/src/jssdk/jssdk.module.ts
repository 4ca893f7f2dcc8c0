import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthorizersModule } from '../authorizers/authorizers.module';
import { TenantCallsModule } from '../tenant-calls/tenant-calls.module';
import { WeChatModule } from '../platform/wechat-clients/wechat-clients.module';
import { JsTicketRenewer } from './js-ticket-renewer';
import { JsTicketsRepository } from './js-tickets.repository';
import { JsSdkController } from './jssdk.controller';
import { JsSdkService } from './jssdk.service';

/** JS-SDK for the merchants' H5 pages: the account's tickets and wx.config signatures. */
@Module({
  imports: [WeChatModule, AuthorizersModule, TenantCallsModule, AuditModule],
  controllers: [JsSdkController],
  providers: [JsTicketsRepository, JsSdkService, JsTicketRenewer],
})
export class JsSdkModule {}
