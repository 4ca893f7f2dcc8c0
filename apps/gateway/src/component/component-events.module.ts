import { Module } from '@nestjs/common';
import { AuthorizersModule } from '../authorizers/authorizers.module';
import { OnboardingModule } from '../onboarding/onboarding.module';
import { ComponentEventsController } from './component-events.controller';
import { ComponentEventsService } from './component-events.service';
import { ComponentModule } from './component.module';

/** The push endpoint sits above onboarding and authorizers, which it drives. */
@Module({
  imports: [ComponentModule, AuthorizersModule, OnboardingModule],
  controllers: [ComponentEventsController],
  providers: [ComponentEventsService],
})
export class ComponentEventsModule {}
