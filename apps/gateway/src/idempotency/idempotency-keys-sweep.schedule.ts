import { Injectable, Logger } from '@nestjs/common';
import { CronTask, type CronTaskHandler } from '../platform/background/background-task';
import { IdempotencyService } from './idempotency.service';

/** Expired Idempotency-Key records are only clutter; they go in bounded batches. */
@CronTask('idempotency-keys-sweep')
@Injectable()
export class IdempotencyKeysSweep implements CronTaskHandler {
  private readonly logger = new Logger(IdempotencyKeysSweep.name);

  constructor(private readonly idempotency: IdempotencyService) {}

  async run(): Promise<void> {
    const removed = await this.idempotency.deleteExpired();
    this.logger.log({ removed }, 'expired idempotency keys removed');
  }
}
