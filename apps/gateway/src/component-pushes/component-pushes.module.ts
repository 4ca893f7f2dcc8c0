import { Module } from '@nestjs/common';
import { AuthorizersModule } from '../authorizers/authorizers.module';
import { ComponentModule } from '../component/component.module';
import { OnboardingModule } from '../onboarding/onboarding.module';
import { WeChatPushModule } from '../push-auth/push-auth.module';
import { PushReceiptsSweep } from './push-receipts-sweep.schedule';
import { PushReceiptsRepository } from './push-receipts.repository';
import { WeChatEventsController } from './component-pushes.controller';
import { WeChatEventsService } from './component-pushes.service';

/** WeChat's pushes to the authorization event URL: above onboarding and authorizers, which they drive. */
@Module({
  imports: [ComponentModule, AuthorizersModule, OnboardingModule, WeChatPushModule],
  controllers: [WeChatEventsController],
  providers: [PushReceiptsRepository, WeChatEventsService, PushReceiptsSweep],
})
export class WeChatEventsModule {}
