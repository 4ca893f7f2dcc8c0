import { Inject, Injectable, Logger } from '@nestjs/common';
import { CronTask, type CronTaskHandler } from '../platform/background/background-task';
import { BatchedDeletes } from '../platform/background/batched-deletes';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { retentionSettings } from '../platform/config/retention-settings';
import { MessageReceiptsRepository } from './message-receipts.repository';

/** Receipts past RETENTION_MESSAGE_RECEIPTS_DAYS (WeChat's retries of a message end within a minute). */
@CronTask('message-receipts-sweep')
@Injectable()
export class MessageReceiptsSweep implements CronTaskHandler {
  private readonly logger = new Logger(MessageReceiptsSweep.name);
  private readonly days: number;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly receipts: MessageReceiptsRepository,
    private readonly deletes: BatchedDeletes,
  ) {
    this.days = retentionSettings(config).messageReceiptsDays;
  }

  async run(): Promise<void> {
    const removed = await this.deletes.run('wechat_message_receipts', async (limit) => ({
      wechat_message_receipts: await this.receipts.deleteOlderThan(this.days, limit),
    }));
    this.logger.log({ removed, retentionDays: this.days }, 'old message receipts removed');
  }
}
