import { Module } from '@nestjs/common';
import { AuthorizersModule } from '../authorizers/authorizers.module';
import { ComponentModule } from '../component/component.module';
import { TenantsModule } from '../tenants/tenants.module';
import { AuthorizationExchangeService } from './authorization-exchange.service';
import { AuthorizationSessionsService } from './authorization-sessions.service';
import { OnboardingController } from './onboarding.controller';
import { OnboardingService } from './onboarding.service';

@Module({
  imports: [ComponentModule, AuthorizersModule, TenantsModule],
  controllers: [OnboardingController],
  providers: [AuthorizationSessionsService, AuthorizationExchangeService, OnboardingService],
  exports: [AuthorizationSessionsService, AuthorizationExchangeService],
})
export class OnboardingModule {}
