import { Injectable, Logger } from '@nestjs/common';
import { CronTask, type CronTaskHandler } from '../platform/background/background-task';
import { TenantCalls } from './tenant-calls.service';

/** Quota blocks that lapsed a day ago decide nothing any more. */
@CronTask('quota-blocks-sweep')
@Injectable()
export class QuotaBlocksSweep implements CronTaskHandler {
  private readonly logger = new Logger(QuotaBlocksSweep.name);

  constructor(private readonly calls: TenantCalls) {}

  async run(): Promise<void> {
    const removed = await this.calls.deleteLapsedQuotaBlocks();
    this.logger.log({ removed }, 'lapsed quota blocks removed');
  }
}
