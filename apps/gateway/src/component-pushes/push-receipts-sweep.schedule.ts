import { Injectable, Logger } from '@nestjs/common';
import { CronTask, type CronTaskHandler } from '../platform/background/background-task';
import { PushReceiptsRepository } from './push-receipts.repository';

/** Receipts a day old can match no replay (the window is 300 s). */
@CronTask('push-receipts-sweep')
@Injectable()
export class PushReceiptsSweep implements CronTaskHandler {
  private readonly logger = new Logger(PushReceiptsSweep.name);

  constructor(private readonly receipts: PushReceiptsRepository) {}

  async run(): Promise<void> {
    const removed = await this.receipts.deleteOlderThanOneDay();
    this.logger.log({ removed }, 'old push receipts removed');
  }
}
