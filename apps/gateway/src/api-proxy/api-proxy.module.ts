import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { TenantCallsModule } from '../tenant-calls/tenant-calls.module';
import { WeChatProxyController } from './api-proxy.controller';
import { WeChatProxyService } from './api-proxy.service';

/**
 * Any Official Account API for a tenant through the gateway: the path table here, the call
 * itself (gate, quota, token, limiter, reactions) through TenantCalls.forward.
 */
@Module({
  imports: [TenantCallsModule, AuditModule],
  controllers: [WeChatProxyController],
  providers: [WeChatProxyService],
})
export class WeChatProxyModule {}
