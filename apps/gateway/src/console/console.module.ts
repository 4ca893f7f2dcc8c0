import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { AuditModule } from '../audit/audit.module';
import { BlacklistJobsModule } from '../blacklist-jobs/blacklist-jobs.module';
import { ComponentModule } from '../component/component.module';
import { WeChatModule } from '../platform/wechat-clients/wechat-clients.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { DEFAULT_PUBLIC_REQUESTS_PER_MINUTE, OnboardingModule } from '../onboarding/onboarding.module';
import { ConsoleController } from './console.controller';
import { ConsoleRepository } from './console.repository';
import { ConsoleSessions } from './console-sessions';

/** The operator console at /console (see README, "Operator console"). */
@Module({
  imports: [
    AuditModule,
    BlacklistJobsModule,
    ComponentModule,
    OnboardingModule,
    WeChatModule,
    WebhooksModule,
    // Sign-in attempts per client address, like the public onboarding routes.
    ThrottlerModule.forRootAsync({
      inject: [GATEWAY_CONFIG],
      useFactory: (config: GatewayConfig) => [
        { ttl: 60_000, limit: config.rateLimits?.publicRequestsPerMinute ?? DEFAULT_PUBLIC_REQUESTS_PER_MINUTE },
      ],
    }),
  ],
  controllers: [ConsoleController],
  providers: [ConsoleRepository, ConsoleSessions],
})
export class ConsoleModule {}
