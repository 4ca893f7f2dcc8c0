import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthorizersModule } from '../authorizers/authorizers.module';
import { ComponentModule } from '../component/component.module';
import { TenantsModule } from '../tenants/tenants.module';
import { WeChatModule } from '../platform/wechat-clients/wechat-clients.module';
import { WebOAuthDemoController } from './sandbox-demo.controller';
import { WebOAuthController } from './web-oauth.controller';
import { WebOAuthSweep } from './web-oauth-sweep.schedule';
import { WebOAuthRepository } from './web-oauth.repository';
import { WebOAuthService } from './web-oauth.service';

/** Web authorization on behalf of the tenant's Official Account: the hosted flow, redemptions and direct exchanges. */
@Module({
  imports: [WeChatModule, ComponentModule, AuthorizersModule, TenantsModule, AuditModule],
  controllers: [WebOAuthController, WebOAuthDemoController],
  providers: [WebOAuthRepository, WebOAuthService, WebOAuthSweep],
  exports: [WebOAuthService],
})
export class WebOAuthModule {}
