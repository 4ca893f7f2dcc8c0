import { Injectable } from '@nestjs/common';
import { CronTask, type CronTaskHandler } from '../platform/background/background-task';
import { AuthorizerReconciliationService } from './authorizer-reconciliation.service';

/**
 * Reconciles WeChat's authorizer list with ours on AUTHORIZER_RECONCILE_CRON (UTC, default daily;
 * platform/background/cron-registry.ts), one instance per occurrence. A failed run is logged and counted;
 * the next occurrence tries again.
 */
@CronTask('authorizer-reconcile')
@Injectable()
export class AuthorizerReconcileSchedule implements CronTaskHandler {
  constructor(private readonly reconciliation: AuthorizerReconciliationService) {}

  async run(): Promise<void> {
    await this.reconciliation.reconcile();
  }
}
