import { Injectable, Logger } from '@nestjs/common';
import { CronTask, type CronTaskHandler } from '../background/background-task';
import { WeChatCallCountsRepository } from './wechat-call-counts.repository';

/** Hourly call counts older than two days: the console's chart shows the last 24 hours. */
@CronTask('wechat-call-counts-sweep')
@Injectable()
export class WeChatCallCountsSweep implements CronTaskHandler {
  private readonly logger = new Logger(WeChatCallCountsSweep.name);

  constructor(private readonly counts: WeChatCallCountsRepository) {}

  async run(): Promise<void> {
    const removed = await this.counts.deleteOld();
    this.logger.log({ removed }, 'old WeChat call counts removed');
  }
}
