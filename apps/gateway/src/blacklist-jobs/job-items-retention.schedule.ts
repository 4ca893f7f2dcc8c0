import { Inject, Injectable, Logger } from '@nestjs/common';
import { CronTask, type CronTaskHandler } from '../platform/background/background-task';
import { BatchedDeletes } from '../platform/background/batched-deletes';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { retentionSettings } from '../platform/config/retention-settings';
import { BlacklistJobChunksRepository } from './blacklist-job-chunks.repository';

/** Per-openid items and chunks of jobs finished more than RETENTION_JOB_ITEMS_DAYS ago; the jobs and their counts stay. */
@CronTask('job-items-retention')
@Injectable()
export class JobItemsRetention implements CronTaskHandler {
  private readonly logger = new Logger(JobItemsRetention.name);
  private readonly days: number;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly chunks: BlacklistJobChunksRepository,
    private readonly deletes: BatchedDeletes,
  ) {
    this.days = retentionSettings(config).jobItemsDays;
  }

  async run(): Promise<void> {
    const removed = await this.deletes.run('blacklist_job_items', async (limit) => {
      const { items, chunks } = await this.chunks.deleteFinishedJobsDetail(this.days, limit);
      return { blacklist_job_items: items, blacklist_job_chunks: chunks };
    });
    this.logger.log({ removed, retentionDays: this.days }, 'items of old finished jobs removed');
  }
}
