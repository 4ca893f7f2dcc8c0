import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { AuditModule } from '../audit/audit.module';
import { AuthorizersModule } from '../authorizers/authorizers.module';
import { ComponentModule } from '../component/component.module';
import { TenantsModule } from '../tenants/tenants.module';
import { WeChatModule } from '../platform/wechat-clients/wechat-clients.module';
import { AuthorizationExchangeService } from './authorization-exchange.service';
import { AuthorizationSessionsService } from './authorization-sessions.service';
import { OnboardingController } from './onboarding.controller';
import { OnboardingRepository } from './onboarding.repository';
import { OnboardingService } from './onboarding.service';
import { CodeExchangesRetention } from './code-exchanges-retention.schedule';

/** Views of onboarding pages plus callbacks per client address per minute (PUBLIC_REQUESTS_PER_MINUTE). */
export const DEFAULT_PUBLIC_REQUESTS_PER_MINUTE = 60;

@Module({
  imports: [
    AuditModule,
    WeChatModule,
    ComponentModule,
    AuthorizersModule,
    TenantsModule,
    AuditModule,
    // Per client address (req.ip: X-Forwarded-For is trusted from loopback only) and per route, in memory per instance.
    ThrottlerModule.forRootAsync({
      inject: [GATEWAY_CONFIG],
      useFactory: (config: GatewayConfig) => [
        { ttl: 60_000, limit: config.rateLimits?.publicRequestsPerMinute ?? DEFAULT_PUBLIC_REQUESTS_PER_MINUTE },
      ],
    }),
  ],
  controllers: [OnboardingController],
  providers: [
    OnboardingRepository,
    AuthorizationSessionsService,
    AuthorizationExchangeService,
    OnboardingService,
    CodeExchangesRetention,
  ],
  exports: [OnboardingRepository, AuthorizationSessionsService, AuthorizationExchangeService],
})
export class OnboardingModule {}
