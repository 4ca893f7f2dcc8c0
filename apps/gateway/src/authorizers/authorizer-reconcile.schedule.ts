import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CronExpression } from '../config/cron-expression';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { ComponentTokenService } from '../component/component-token.service';
import { AuthorizerReconciliationService } from './authorizer-reconciliation.service';

/** Daily, at an hour when few people authorize (UTC). */
export const DEFAULT_AUTHORIZER_RECONCILE_CRON = '40 19 * * *';

/**
 * Runs the reconciliation on AUTHORIZER_RECONCILE_CRON (UTC), one instance per occurrence: every
 * instance looks at the start of each minute, and on an occurrence the one whose row update claims
 * it (component_state.authorizer_list_reconciled_for) runs it. No connection pool of its own.
 */
@Injectable()
export class AuthorizerReconcileSchedule implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AuthorizerReconcileSchedule.name);
  private readonly cron?: CronExpression;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly reconciliation: AuthorizerReconciliationService,
    private readonly componentTokens: ComponentTokenService,
  ) {
    const text = config.authorizerReconcileCron ?? DEFAULT_AUTHORIZER_RECONCILE_CRON;
    if (text !== 'off') this.cron = CronExpression.parse(text);
  }

  onApplicationBootstrap(): void {
    this.next();
  }

  onModuleDestroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One look at minute `at`: true when this instance ran the reconciliation. */
  async tick(at: Date): Promise<boolean> {
    if (!this.cron?.matches(at)) return false;
    const occurrence = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
    if (!(await this.componentTokens.claimAuthorizerListReconciliation(occurrence))) return false;
    try {
      await this.reconciliation.reconcile();
    } catch (e) {
      this.logger.error({ err: (e as Error).message }, 'authorizer reconciliation failed; the next occurrence retries');
    }
    return true;
  }

  private next(): void {
    if (!this.cron) return;
    const now = Date.now();
    this.timer = setTimeout(
      () => {
        void this.tick(new Date()).catch((e: Error) => this.logger.warn({ err: e.message }, 'reconciliation tick failed'));
        if (this.timer) this.next();
      },
      60_000 - (now % 60_000) + 50,
    );
    this.timer.unref();
  }
}
