import { Inject, Injectable, Logger } from '@nestjs/common';
import { CronTask, type CronTaskHandler } from '../platform/background/background-task';
import { BatchedDeletes } from '../platform/background/batched-deletes';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { retentionSettings } from '../platform/config/retention-settings';
import { WebhookOutboxRepository } from './webhook-outbox.repository';

/** Events older than RETENTION_WEBHOOK_DAYS, with their delivery history; never one still being delivered. */
@CronTask('webhook-retention')
@Injectable()
export class WebhookRetention implements CronTaskHandler {
  private readonly logger = new Logger(WebhookRetention.name);
  private readonly days: number;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly outbox: WebhookOutboxRepository,
    private readonly deletes: BatchedDeletes,
  ) {
    this.days = retentionSettings(config).webhookDays;
  }

  async run(): Promise<void> {
    // An event has a delivery per endpoint: smaller batches keep each statement short.
    const removed = await this.deletes.run(
      'webhook_events',
      async (limit) => {
        const { events, deliveries } = await this.outbox.deleteEventsOlderThan(this.days, limit);
        return { webhook_events: events, webhook_deliveries: deliveries };
      },
      500,
    );
    this.logger.log({ removed, retentionDays: this.days }, 'old webhook events removed');
  }
}
