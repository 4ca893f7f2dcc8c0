import { Inject, Injectable, Logger } from '@nestjs/common';
import { CronTask, type CronTaskHandler } from '../platform/background/background-task';
import { BatchedDeletes } from '../platform/background/batched-deletes';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { retentionSettings } from '../platform/config/retention-settings';
import { OnboardingRepository } from './onboarding.repository';

/** Authorization-code exchange outcomes past RETENTION_CODE_EXCHANGES_DAYS (a code is single-use and short-lived). */
@CronTask('code-exchanges-retention')
@Injectable()
export class CodeExchangesRetention implements CronTaskHandler {
  private readonly logger = new Logger(CodeExchangesRetention.name);
  private readonly days: number;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly onboarding: OnboardingRepository,
    private readonly deletes: BatchedDeletes,
  ) {
    this.days = retentionSettings(config).codeExchangesDays;
  }

  async run(): Promise<void> {
    const removed = await this.deletes.run('authorization_code_exchanges', async (limit) => ({
      authorization_code_exchanges: await this.onboarding.deleteExchangesOlderThan(this.days, limit),
    }));
    this.logger.log({ removed, retentionDays: this.days }, 'old authorization-code exchanges removed');
  }
}
