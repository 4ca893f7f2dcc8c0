import { Injectable, Logger } from '@nestjs/common';
import { CronTask, type CronTaskHandler } from '../background/background-task';
import { ComponentApiCallsRepository } from './component-api-calls.repository';

/** The component's per-day call counts decide today's budget only; a month of them is history enough. */
@CronTask('component-api-calls-sweep')
@Injectable()
export class ComponentApiCallsSweep implements CronTaskHandler {
  private readonly logger = new Logger(ComponentApiCallsSweep.name);

  constructor(private readonly calls: ComponentApiCallsRepository) {}

  async run(): Promise<void> {
    const removed = await this.calls.deleteOlderThanMonth();
    this.logger.log({ removed }, 'old component API call counts removed');
  }
}
