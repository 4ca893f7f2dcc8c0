import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../platform/metrics/metrics.service';
import { WebhookOutboxRepository } from './webhook-outbox.repository';

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed';

/** Webhook metrics, on the app's own registry (kept here so the metrics module needs no webhook knowledge). */
@Injectable()
export class WebhookMetrics {
  private readonly deliveries: Counter<'type' | 'outcome'>;

  constructor(metrics: MetricsService, outbox: WebhookOutboxRepository) {
    this.deliveries = new Counter({
      name: 'webhook_deliveries_total',
      help: 'Webhook delivery attempts, by event type and outcome (delivered, retry, failed)',
      labelNames: ['type', 'outcome'] as const,
      registers: [metrics.registry],
    });
    new Gauge({
      name: 'webhook_deliveries_pending',
      help: 'Webhook deliveries not yet delivered or failed (all instances)',
      registers: [metrics.registry],
      // Read at scrape time from the database: the backlog is shared by every instance.
      async collect() {
        this.set(await outbox.countPending());
      },
    });
  }

  count(type: string, outcome: DeliveryOutcome): void {
    this.deliveries.inc({ type, outcome });
  }
}
