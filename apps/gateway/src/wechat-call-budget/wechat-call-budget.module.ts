import { Module } from '@nestjs/common';
import { QuotaBlocksRepository } from './quota-blocks.repository';
import { QuotaBlocksSweep } from './quota-blocks-sweep.schedule';
import { QuotaBlocksService } from './quota-blocks.service';
import { TenantCallLimiter } from './tenant-call-limiter';

/**
 * The WeChat call budget of a tenant's authorizer: how many calls may be in flight and how fast
 * (TenantCallLimiter, per process) and which APIs are out of daily quota (QuotaBlocksService,
 * shared by every instance through PostgreSQL). Any feature calling WeChat for a tenant uses it.
 */
@Module({
  providers: [QuotaBlocksRepository, QuotaBlocksService, TenantCallLimiter, QuotaBlocksSweep],
  exports: [QuotaBlocksService, TenantCallLimiter],
})
export class WeChatCallBudgetModule {}
