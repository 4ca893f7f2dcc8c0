import { Module } from '@nestjs/common';
import { WeChatModule } from '../platform/wechat-clients/wechat-clients.module';
import { ComponentApiCallsSweep } from './component-api-calls-sweep.schedule';
import { ComponentApiCallsRepository } from './component-api-calls.repository';
import { ComponentCallBudget } from './component-call-budget';
import { ComponentStateRepository } from './component-state.repository';
import { ComponentTokenService } from './component-token.service';
import { ComponentController } from './component.controller';
import { TicketWatch } from './ticket-watch.service';
import { WebhooksModule } from '../webhooks/webhooks.module';

/** The component's own credentials: verify ticket and component access token. */
@Module({
  imports: [WeChatModule, WebhooksModule],
  controllers: [ComponentController],
  providers: [
    ComponentStateRepository,
    ComponentTokenService,
    TicketWatch,
    ComponentApiCallsRepository,
    ComponentCallBudget,
    ComponentApiCallsSweep,
  ],
  exports: [ComponentTokenService, ComponentCallBudget, TicketWatch],
})
export class ComponentModule {}
