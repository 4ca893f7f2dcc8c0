import { Injectable, Logger } from '@nestjs/common';
import { CronTask, type CronTaskHandler } from '../background/background-task';
import { MessageReceiptsRepository } from './message-receipts.repository';

/** WeChat's retries of a message come within seconds; a day-old receipt can match none. */
@CronTask('message-receipts-sweep')
@Injectable()
export class MessageReceiptsSweep implements CronTaskHandler {
  private readonly logger = new Logger(MessageReceiptsSweep.name);

  constructor(private readonly receipts: MessageReceiptsRepository) {}

  async run(): Promise<void> {
    const removed = await this.receipts.deleteOlderThanOneDay();
    this.logger.log({ removed }, 'old message receipts removed');
  }
}
