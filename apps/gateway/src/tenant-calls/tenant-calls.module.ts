import { Module } from '@nestjs/common';
import { AuthorizersModule } from '../authorizers/authorizers.module';
import { WeChatModule } from '../platform/wechat-clients/wechat-clients.module';
import { ApiGate } from './api-gate';
import { QuotaBlocksSweep } from './quota-blocks-sweep.schedule';
import { QuotaBlocksRepository } from './quota-blocks.repository';
import { QuotaBlocksService } from './quota-blocks.service';
import { TenantCallLimiter } from './tenant-call-limiter';
import { TenantCalls } from './tenant-calls.service';

/**
 * The one way a tenant's Official Account API call is made (TenantCalls), with what it is made
 * of: the gate (ApiGate), the tenant's call budget (TenantCallLimiter: calls in flight and rate,
 * per process; QuotaBlocksService: APIs out of daily quota, shared by every instance through
 * PostgreSQL). Only TenantCalls is exported: features call WeChat for a tenant through it.
 */
@Module({
  imports: [WeChatModule, AuthorizersModule],
  providers: [ApiGate, QuotaBlocksRepository, QuotaBlocksService, TenantCallLimiter, TenantCalls, QuotaBlocksSweep],
  exports: [TenantCalls],
})
export class TenantCallsModule {}
