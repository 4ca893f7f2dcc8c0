import { Module } from '@nestjs/common';
import { AuthorizersModule } from '../authorizers/authorizers.module';
import { ComponentModule } from '../component/component.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { WeChatModule } from '../platform/wechat-clients/wechat-clients.module';
import { WeChatPushModule } from '../push-auth/push-auth.module';
import { GoLiveResponder } from './go-live-responder';
import { MessageMetrics } from './message-metrics';
import { MessageReceiptsSweep } from './message-receipts-sweep.schedule';
import { MessageReceiptsRepository } from './message-receipts.repository';
import { WeChatMessagesController } from './follower-messages.controller';
import { WeChatMessagesService } from './follower-messages.service';

/** The Official Accounts' message and event URL: go-live responder and forwarding to tenants. Nothing imports it. */
@Module({
  imports: [WeChatModule, WeChatPushModule, ComponentModule, AuthorizersModule, WebhooksModule],
  controllers: [WeChatMessagesController],
  providers: [MessageReceiptsRepository, MessageMetrics, GoLiveResponder, WeChatMessagesService, MessageReceiptsSweep],
})
export class WeChatMessagesModule {}
