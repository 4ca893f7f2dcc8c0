import { Module } from '@nestjs/common';
import { AuthorizersModule } from '../authorizers/authorizers.module';
import { ComponentModule } from '../component/component.module';
import { TenantsModule } from '../tenants/tenants.module';
import { WeChatModule } from '../wechat/wechat.module';
import { AuthorizationExchangeService } from './authorization-exchange.service';
import { AuthorizationSessionsService } from './authorization-sessions.service';
import { OnboardingController } from './onboarding.controller';
import { OnboardingRepository } from './onboarding.repository';
import { OnboardingService } from './onboarding.service';

@Module({
  imports: [WeChatModule, ComponentModule, AuthorizersModule, TenantsModule],
  controllers: [OnboardingController],
  providers: [OnboardingRepository, AuthorizationSessionsService, AuthorizationExchangeService, OnboardingService],
  exports: [OnboardingRepository, AuthorizationSessionsService, AuthorizationExchangeService],
})
export class OnboardingModule {}
