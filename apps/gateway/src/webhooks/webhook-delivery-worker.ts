import { AttemptRecorder } from './attempt-recorder';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { LoopTask, type LoopTaskHandler } from '../platform/background/background-task';
import { BackgroundTasks } from '../platform/background/background-tasks.service';
import { GATEWAY_CONFIG, type GatewayConfig, type WebhookSettings } from '../platform/config/gateway-config';
import { type EndpointForDelivery, WebhookEndpointsRepository } from './webhook-endpoints.repository';
import type { DeliveryOutcome } from './webhook-metrics';
import { WebhookMetrics } from './webhook-metrics';
import { afterAttempt } from './retry-schedule';
import { type ClaimedDelivery, ownerKey, WebhookOutboxRepository } from './webhook-outbox.repository';
import { WebhookSender } from './webhook-sender';
import { webhookSettings } from './webhook-settings';

/** Beyond the send deadline, so a live sender records before its lease lapses; short, so a dead instance's claims come back soon. */
const LEASE_MARGIN_MS = 5_000;
const WEBHOOK_DELIVERY_TASK = 'webhook-delivery';

/**
 * The share of an instance's slots one owner's endpoints may hold (a quarter, at least one
 * endpoint's worth): a tenant with many endpoints that never answer leaves the rest to others.
 */
const OWNER_SHARE = 0.25;

/**
 * Sends due deliveries from any instance. Claims happen in a short transaction (leased rows),
 * the HTTP exchange holds no database connection, and the outcome is recorded afterwards; a
 * crashed instance's leases lapse and another claim picks them up (at-least-once).
 * Slots: `concurrency` per instance, `concurrencyPerEndpoint` per receiver and a quarter of the
 * instance's per owner (a tenant, or the operator), so a slow or dead receiver, or a tenant's
 * many of them, holds at most its own slots and everyone else's deliveries keep flowing.
 * A loop on every instance (platform/background/): a claim every poll interval, or at once when woken.
 */
@LoopTask(WEBHOOK_DELIVERY_TASK)
@Injectable()
export class WebhookDeliveryWorker implements LoopTaskHandler, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDeliveryWorker.name);
  private readonly settings: WebhookSettings;
  private readonly leaseMs: number;
  private readonly perEndpoint = new Map<string, number>();
  private readonly perOwner = new Map<string, number>();
  private readonly ownerSlots: number;
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  readonly runAtStart = true;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly outbox: WebhookOutboxRepository,
    private readonly attempts: AttemptRecorder,
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly sender: WebhookSender,
    private readonly metrics: WebhookMetrics,
    private readonly background: BackgroundTasks,
  ) {
    this.settings = webhookSettings(config);
    this.leaseMs = this.settings.timeoutMs + LEASE_MARGIN_MS;
    this.ownerSlots = Math.max(
      Math.min(this.settings.concurrencyPerEndpoint, this.settings.concurrency),
      Math.floor(this.settings.concurrency * OWNER_SHARE),
    );
  }

  nextDelayMs(): number {
    return this.settings.pollIntervalMs;
  }

  /** One claim pass: fills the free slots with due deliveries. */
  async run(signal: AbortSignal): Promise<void> {
    await this.claimWhileFree(signal);
  }

  /** Stops claiming and lets the sends in flight finish and be recorded (bounded by the send deadline). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.running]);
  }

  /** Look for due deliveries now (after a local publish commits, or a slot frees up). */
  wake(): void {
    if (!this.stopped) this.background.wake(WEBHOOK_DELIVERY_TASK);
  }

  private async claimWhileFree(signal: AbortSignal): Promise<void> {
    while (!this.stopped && !signal.aborted) {
      const free = this.settings.concurrency - this.running.size;
      if (free <= 0) return;
      const busyEndpoints = [...this.perEndpoint].filter(([, n]) => n >= this.settings.concurrencyPerEndpoint).map(([id]) => id);
      const ownerRoom = new Map([...this.perOwner].map(([owner, n]) => [owner, this.ownerSlots - n]));
      const claimed = await this.outbox.claimDue({
        limit: free,
        perEndpoint: this.settings.concurrencyPerEndpoint,
        busyEndpoints,
        perOwner: this.ownerSlots,
        ownerRoom,
        leaseMs: this.leaseMs,
      });
      if (claimed.length === 0) return;
      const endpoints = await this.endpoints.forDelivery([...new Set(claimed.map((c) => c.endpointId))]);
      for (const c of claimed) this.start(c, endpoints.get(c.endpointId));
    }
  }

  private start(d: ClaimedDelivery, endpoint: EndpointForDelivery | undefined): void {
    const owner = ownerKey(d.tenantId);
    this.perEndpoint.set(d.endpointId, (this.perEndpoint.get(d.endpointId) ?? 0) + 1);
    this.perOwner.set(owner, (this.perOwner.get(owner) ?? 0) + 1);
    const run: Promise<void> = this.deliver(d, endpoint)
      .catch((e) => {
        // Unrecorded: the lease lapses and the delivery is tried again (at-least-once).
        this.logger.error(
          { endpointId: d.endpointId, eventId: d.eventId, err: String((e as Error)?.message ?? e) },
          'webhook delivery not recorded',
        );
      })
      .finally(() => {
        this.running.delete(run);
        const n = (this.perEndpoint.get(d.endpointId) ?? 1) - 1;
        if (n > 0) this.perEndpoint.set(d.endpointId, n);
        else this.perEndpoint.delete(d.endpointId);
        const o = (this.perOwner.get(owner) ?? 1) - 1;
        if (o > 0) this.perOwner.set(owner, o);
        else this.perOwner.delete(owner);
        this.wake();
      });
    this.running.add(run);
  }

  private async deliver(d: ClaimedDelivery, endpoint: EndpointForDelivery | undefined): Promise<void> {
    if (!endpoint?.receiving) {
      await this.outbox.abandon(d);
      return;
    }
    const result = await this.sender.send({ url: endpoint.url, eventId: d.eventId, body: d.body, secrets: endpoint.secrets });
    const outcome = result.permanent
      ? { status: 'failed' as const, nextAttemptAt: null }
      : afterAttempt(result.ok, d.roundAttempts, this.settings.retryScheduleSeconds);
    const recorded = await this.attempts.record(d, {
      ...outcome,
      attempt: {
        at: new Date().toISOString(),
        httpStatus: result.httpStatus,
        durationMs: result.durationMs,
        error: result.error,
      },
    });
    const kind: DeliveryOutcome = outcome.status === 'delivered' ? 'delivered' : outcome.status === 'failed' ? 'failed' : 'retry';
    this.metrics.count(d.type, kind);
    // Never the URL (receivers put credentials in query strings) nor the body.
    const log = {
      endpointId: d.endpointId,
      eventId: d.eventId,
      type: d.type,
      httpStatus: result.httpStatus,
      error: result.error,
      recorded,
    };
    if (kind === 'failed') this.logger.warn(log, 'webhook delivery failed for good');
    else if (kind === 'retry') this.logger.log(log, 'webhook delivery attempt failed; will retry');
  }
}
