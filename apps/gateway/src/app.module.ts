import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { DestinationStream } from 'pino';
import type { GatewayConfig } from './platform/config/gateway-config';
import { dataSourceOptions } from './data-source';
import { DatabaseModule } from './platform/database/database.module';
import { HttpErrorFilter } from './platform/errors/http-error.filter';
import { HealthModule } from './health/health.module';
import { ConsoleModule } from './console/console.module';
import { LoggingModule } from './platform/logging/logging.module';
import { MetricsModule } from './platform/metrics/metrics.module';
import { BackgroundModule } from './platform/background/background.module';
import { ConfigHolderModule } from './platform/config/config-holder.module';
import { AuthModule } from './platform/auth/auth.module';
import { AuthorizersModule } from './authorizers/authorizers.module';
import { ComponentModule } from './component/component.module';
import { TenantsModule } from './tenants/tenants.module';
import { OnboardingModule } from './onboarding/onboarding.module';
import { WeChatEventsModule } from './component-pushes/component-pushes.module';
import { TenantAdminModule } from './tenant-admin/tenant-admin.module';
import { WeChatModule } from './platform/wechat-clients/wechat-clients.module';
import { AuditModule } from './audit/audit.module';
import { BlacklistModule } from './blacklist/blacklist.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { BlacklistJobsModule } from './blacklist-jobs/blacklist-jobs.module';
import { WeChatProxyModule } from './api-proxy/api-proxy.module';
import { TokenHandoutModule } from './token-handout/token-handout.module';
import { WeChatMessagesModule } from './follower-messages/follower-messages.module';
import { WebOAuthModule } from './web-oauth/web-oauth.module';
import { JsSdkModule } from './jssdk/jssdk.module';

export interface AppModuleOptions {
  /** Where JSON logs go; stdout when omitted (tests capture them to assert redaction). */
  logDestination?: DestinationStream;
}

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigHolderModule.forRoot(config),
        LoggingModule.forRoot(config.logLevel, options.logDestination),
        DatabaseModule.forRoot(dataSourceOptions(config.databaseUrl, { migrationsRun: false })),
        MetricsModule,
        BackgroundModule,
        HealthModule,
        AuthModule,
        WeChatModule,
        ComponentModule,
        AuthorizersModule,
        TenantsModule,
        OnboardingModule,
        TenantAdminModule,
        WeChatEventsModule,
        AuditModule,
        BlacklistModule,
        WebhooksModule,
        BlacklistJobsModule,
        WeChatProxyModule,
        TokenHandoutModule,
        WeChatMessagesModule,
        WebOAuthModule,
        JsSdkModule,
        ConsoleModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: HttpErrorFilter }],
    };
  }
}
