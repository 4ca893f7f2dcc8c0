import { Inject, Injectable, Logger } from '@nestjs/common';
import { CronTask, type CronTaskHandler } from '../platform/background/background-task';
import { BatchedDeletes } from '../platform/background/batched-deletes';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { retentionSettings } from '../platform/config/retention-settings';
import { AuditRepository } from './audit.repository';

/** Audit events older than RETENTION_AUDIT_DAYS; scheduled only when it is set (the trail is kept otherwise). */
@CronTask('audit-retention')
@Injectable()
export class AuditRetention implements CronTaskHandler {
  private readonly logger = new Logger(AuditRetention.name);
  private readonly days?: number;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly audit: AuditRepository,
    private readonly deletes: BatchedDeletes,
  ) {
    this.days = retentionSettings(config).auditDays;
  }

  async run(): Promise<void> {
    const days = this.days;
    if (days === undefined) return;
    const removed = await this.deletes.run('audit_events', async (limit) => ({
      audit_events: await this.audit.deleteOlderThan(days, limit),
    }));
    this.logger.log({ removed, retentionDays: days }, 'old audit events removed');
  }
}
