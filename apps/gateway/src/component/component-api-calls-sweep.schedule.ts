import { Inject, Injectable, Logger } from '@nestjs/common';
import { CronTask, type CronTaskHandler } from '../platform/background/background-task';
import { BatchedDeletes } from '../platform/background/batched-deletes';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { retentionSettings } from '../platform/config/retention-settings';
import { ComponentApiCallsRepository } from './component-api-calls.repository';

/** The component's per-day call counts past RETENTION_API_CALLS_DAYS (only today's decide the budget). */
@CronTask('component-api-calls-sweep')
@Injectable()
export class ComponentApiCallsSweep implements CronTaskHandler {
  private readonly logger = new Logger(ComponentApiCallsSweep.name);
  private readonly days: number;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly calls: ComponentApiCallsRepository,
    private readonly deletes: BatchedDeletes,
  ) {
    this.days = retentionSettings(config).apiCallsDays;
  }

  async run(): Promise<void> {
    const removed = await this.deletes.run('component_api_calls', async (limit) => ({
      component_api_calls: await this.calls.deleteOlderThan(this.days, limit),
    }));
    this.logger.log({ removed, retentionDays: this.days }, 'old component API call counts removed');
  }
}
