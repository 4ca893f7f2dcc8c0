import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { Transactions } from '../database/transactions';
import { WebhookPublisher } from '../webhooks/webhook-publisher';
import { ComponentStateRepository } from './component-state.repository';

/** WeChat's verify ticket lives 12 h; WeChat pushes a fresh one every 10 minutes. */
const DEFAULT_STALE_AFTER_SECONDS = 12 * 3600;

export const ticketStaleAfterSeconds = (config: GatewayConfig) =>
  config.componentTicketStaleAfterSeconds ?? DEFAULT_STALE_AFTER_SECONDS;

/**
 * Tells the operator's webhook endpoints (component.ticket_stale) when pushes have stopped
 * arriving: no ticket for longer than the stale threshold. Every instance looks; the row update
 * in ComponentStateRepository lets one of them report, once per ticket.
 */
@Injectable()
export class TicketWatch implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TicketWatch.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly state: ComponentStateRepository,
    private readonly transactions: Transactions,
    private readonly webhooks: WebhookPublisher,
  ) {}

  onApplicationBootstrap(): void {
    // Often enough that the report lags the threshold by at most a quarter of it (and a minute).
    const everyMs = Math.min(60, ticketStaleAfterSeconds(this.config) / 4) * 1000;
    this.timer = setInterval(() => void this.check(), everyMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async check(): Promise<void> {
    try {
      await this.transactions.run(async (m) => {
        const age = await this.state.claimStaleTicketReport(
          this.config.wechat.componentAppId,
          ticketStaleAfterSeconds(this.config),
          m,
        );
        if (age === undefined) return;
        this.logger.warn({ ticketAgeSeconds: age }, 'no verify ticket pushed for too long; reporting it');
        await this.webhooks.publish(m, { type: 'component.ticket_stale', tenantId: null, data: { ticketAgeSeconds: age } });
      });
    } catch (e) {
      this.logger.warn({ err: String((e as Error)?.message ?? e) }, 'could not check the verify ticket age');
    }
  }
}
