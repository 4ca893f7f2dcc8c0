import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../platform/metrics/metrics.service';
import type { GoLiveCaseName } from './go-live-cases';

/**
 * forwarded: a message.received event was written; duplicate: a retry, answered from its receipt;
 * no_active_tenant: not forwarded; wrong_account: its ToUserName is not the URL's account, not forwarded.
 */
export type MessageOutcome = 'forwarded' | 'duplicate' | 'no_active_tenant' | 'wrong_account';
export type GoLiveOutcome = 'replied' | 'sent' | 'failed' | 'ignored';

/** Message-URL metrics, on the app's own registry. */
@Injectable()
export class MessageMetrics {
  private readonly messages: Counter<'tenant_id' | 'outcome'>;
  private readonly goLive: Counter<'case' | 'outcome'>;

  constructor(metrics: MetricsService) {
    this.messages = new Counter({
      name: 'wechat_messages_received_total',
      help: 'Official Account messages and events received at the message URL, by tenant (empty when none) and outcome',
      labelNames: ['tenant_id', 'outcome'] as const,
      registers: [metrics.registry],
    });
    this.goLive = new Counter({
      name: 'golive_test_cases_total',
      help: 'Pushes of WeChat’s go-live check to its test accounts, by case and outcome',
      labelNames: ['case', 'outcome'] as const,
      registers: [metrics.registry],
    });
  }

  message(tenantId: string | undefined, outcome: MessageOutcome): void {
    this.messages.inc({ tenant_id: tenantId ?? '', outcome });
  }

  goLiveCase(name: GoLiveCaseName, outcome: GoLiveOutcome): void {
    this.goLive.inc({ case: name, outcome });
  }
}
