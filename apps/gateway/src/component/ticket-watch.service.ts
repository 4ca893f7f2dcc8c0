import { Inject, Injectable, Logger } from '@nestjs/common';
import { CronTask, type CronTaskHandler } from '../platform/background/background-task';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { Transactions } from '../platform/database/transactions';
import { WebhookPublisher } from '../webhooks/webhook-publisher';
import { ComponentStateRepository } from './component-state.repository';
import { ComponentTokenService } from './component-token.service';

/** WeChat's verify ticket lives 12 h; WeChat pushes a fresh one every 10 minutes. */
const DEFAULT_STALE_AFTER_SECONDS = 12 * 3600;

/** Two missed pushes: past this the gateway asks WeChat for one (api_start_push_ticket, at most every 10 minutes). */
export const TICKET_REPAIR_AFTER_SECONDS = 20 * 60;

export const ticketStaleAfterSeconds = (config: GatewayConfig) =>
  config.componentTicketStaleAfterSeconds ?? DEFAULT_STALE_AFTER_SECONDS;

/** What /health and the status route say about the ticket's self-repair. */
export interface TicketRepairState {
  /** The newest ticket is older than 20 minutes (or none has come yet). */
  overdue: boolean;
  ageSeconds: number | null;
  /** The last api_start_push_ticket by any instance. */
  pushRequestedAt: Date | null;
}

export function ticketRepairState(
  ticketReceivedAt: Date | null,
  pushRequestedAt: Date | null,
  now = Date.now(),
): TicketRepairState {
  const ageSeconds = ticketReceivedAt ? Math.max(0, Math.floor((now - ticketReceivedAt.getTime()) / 1000)) : null;
  return { overdue: ageSeconds === null || ageSeconds > TICKET_REPAIR_AFTER_SECONDS, ageSeconds, pushRequestedAt };
}

/**
 * Watches the verify ticket. Pushes overdue (newest ticket older than 20 minutes): asks WeChat to
 * push one (api_start_push_ticket, at most once per 10 minutes across instances, counted in
 * component_ticket_push_requests_total). Pushes stopped (older than the stale threshold): tells
 * the operator's webhook endpoints (component.ticket_stale), once per ticket. Scheduled every
 * minute (platform/background/cron-registry.ts); the row updates in ComponentStateRepository keep each
 * action once even when an occurrence and a manual check meet.
 */
@CronTask('ticket-watch')
@Injectable()
export class TicketWatch implements CronTaskHandler {
  private readonly logger = new Logger(TicketWatch.name);

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly state: ComponentStateRepository,
    private readonly transactions: Transactions,
    private readonly webhooks: WebhookPublisher,
    private readonly tokens: ComponentTokenService,
  ) {}

  /** The ticket's repair state as stored now; undefined when the database cannot say within a second. */
  async repairState(): Promise<TicketRepairState | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), 1000)));
    const read = this.tokens.status().then(
      (s) => ticketRepairState(s.ticketReceivedAt, s.ticketPushRequestedAt),
      () => undefined,
    );
    try {
      return await Promise.race([read, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One look, its failure logged rather than thrown. */
  async check(): Promise<void> {
    try {
      await this.run();
    } catch (e) {
      this.logger.warn({ err: String((e as Error)?.message ?? e) }, 'could not check the verify ticket age');
    }
  }

  async run(): Promise<void> {
    await this.repair();
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
  }

  /**
   * Only once a ticket has come: before the first one, the token refresh asks (a fresh install
   * waits for WeChat's first push or a refresh that needs it).
   */
  private async repair(): Promise<void> {
    const s = await this.tokens.status();
    if (!s.ticketReceivedAt || !ticketRepairState(s.ticketReceivedAt, s.ticketPushRequestedAt).overdue) return;
    await this.tokens.requestTicketPush('stale_ticket');
  }
}
