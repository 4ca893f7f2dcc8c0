import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { PgBoss } from 'pg-boss';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { AuthorizerReconciliationService } from './authorizer-reconciliation.service';

export const AUTHORIZER_RECONCILE_QUEUE = 'authorizer-reconcile';
/** Daily, at an hour when few people authorize (UTC). */
export const DEFAULT_AUTHORIZER_RECONCILE_CRON = '40 19 * * *';

/**
 * Runs the reconciliation on AUTHORIZER_RECONCILE_CRON, one instance per occurrence: pg-boss's
 * schedule (in the pgboss schema the job queue also uses) creates one job per occurrence and
 * exactly one worker of all instances takes it. A small pg-boss of its own (2 connections),
 * because the authorizers folder sits below the job feature.
 */
@Injectable()
export class AuthorizerReconcileSchedule implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AuthorizerReconcileSchedule.name);
  private boss?: PgBoss;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly reconciliation: AuthorizerReconciliationService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const cron = this.config.authorizerReconcileCron ?? DEFAULT_AUTHORIZER_RECONCILE_CRON;
    const boss = new PgBoss({
      connectionString: this.config.databaseUrl,
      schema: 'pgboss',
      application_name: 'wtg-authorizer-reconcile',
      max: 2,
      supervise: false,
    });
    boss.on('error', (err: Error) => this.logger.error({ err: err.message }, 'reconciliation schedule error'));
    await boss.start();
    this.boss = boss;
    await boss.createQueue(AUTHORIZER_RECONCILE_QUEUE, { retryLimit: 2, retryDelay: 300, expireInSeconds: 3600 });
    if (cron === 'off') {
      await boss.unschedule(AUTHORIZER_RECONCILE_QUEUE);
      return;
    }
    await boss.schedule(AUTHORIZER_RECONCILE_QUEUE, cron);
    await boss.work(AUTHORIZER_RECONCILE_QUEUE, { pollingIntervalSeconds: 60 }, async () => {
      await this.reconciliation.reconcile();
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.boss
      ?.stop({ graceful: false, timeout: 5_000 })
      .catch((err: Error) => this.logger.warn({ err: err.message }, 'reconciliation schedule stop failed'));
  }
}
