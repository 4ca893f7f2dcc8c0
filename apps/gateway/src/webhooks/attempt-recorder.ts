import { Injectable } from '@nestjs/common';
import { type AttemptOutcome, type ClaimedDelivery, deliveryKey, WebhookOutboxRepository } from './webhook-outbox.repository';

/** Attempts per statement. */
const MAX_GROUP = 200;

interface Pending {
  delivery: ClaimedDelivery;
  outcome: AttemptOutcome;
  resolve: (recorded: boolean) => void;
  reject: (e: unknown) => void;
}

/**
 * Records finished delivery attempts in groups: the first is written at once, and those that
 * finish while a write is in flight go together in the next one. Under load the worker then
 * commits one statement per group instead of one per delivery (each a round trip and a commit);
 * alone, an attempt waits for nothing. Each caller learns whether its own attempt was recorded.
 */
@Injectable()
export class AttemptRecorder {
  private pending: Pending[] = [];
  private flushing = false;

  constructor(private readonly outbox: WebhookOutboxRepository) {}

  /** False when another instance took the delivery over after our lease lapsed (outbox.recordAttempts). */
  record(delivery: ClaimedDelivery, outcome: AttemptOutcome): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.pending.push({ delivery, outcome, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0, MAX_GROUP);
        try {
          const recorded = await this.outbox.recordAttempts(group);
          for (const p of group) p.resolve(recorded.has(deliveryKey(p.delivery)));
        } catch (e) {
          for (const p of group) p.reject(e);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
