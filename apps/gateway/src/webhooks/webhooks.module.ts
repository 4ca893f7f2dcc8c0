import { Module } from '@nestjs/common';
import { AttemptRecorder } from './attempt-recorder';
import { WebhookDeliveryWorker } from './webhook-delivery-worker';
import { WebhookEndpointsController } from './webhook-endpoints.controller';
import { WebhookEndpointsRepository } from './webhook-endpoints.repository';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { WebhookMetrics } from './webhook-metrics';
import { WebhookOutboxRepository } from './webhook-outbox.repository';
import { WebhookPublisher } from './webhook-publisher';
import { WebhookSender } from './webhook-sender';
import { TenantEvents } from './tenant-events';
import { TenantsModule } from '../tenants/tenants.module';
import { AuditModule } from '../audit/audit.module';
import { WebhookRetention } from './webhook-retention.schedule';

/**
 * Outbound webhooks (Standard Webhooks): endpoint management, the transactional outbox
 * (WebhookPublisher, exported for the features that emit events) and the delivery worker.
 */
@Module({
  imports: [TenantsModule, AuditModule],
  controllers: [WebhookEndpointsController],
  providers: [
    WebhookEndpointsRepository,
    WebhookOutboxRepository,
    WebhookEndpointsService,
    WebhookPublisher,
    WebhookSender,
    WebhookMetrics,
    WebhookDeliveryWorker,
    AttemptRecorder,
    TenantEvents,
    WebhookRetention,
  ],
  exports: [WebhookPublisher, TenantEvents, WebhookEndpointsService],
})
export class WebhooksModule {}
