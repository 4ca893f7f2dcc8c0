export { WebhooksModule } from './webhooks.module';
export { WebhookPublisher } from './webhook-publisher';
export { TenantEvents } from './tenant-events';
export { WEBHOOK_EVENT_TYPES, type WebhookEventType, type WebhookEventData, type WebhookEventInput } from './webhook-event-types';
