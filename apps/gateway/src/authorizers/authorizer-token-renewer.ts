import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Counter } from 'prom-client';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { MetricsService } from '../metrics/metrics.service';
import type { TenantId } from '../tenants/tenant-id';
import { AuthorizerTokensService } from './authorizer-tokens.service';
import { AuthorizersRepository } from './authorizers.repository';

/** Renew when less than this remains: before any request's 10-minute margin makes it wait for one. */
export const RENEW_MARGIN_MS = 15 * 60_000;
const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_CONCURRENCY = 4;
/** Candidates read per sweep page. */
const PAGE = 200;

/**
 * Renews authorizer access tokens in the background, so that in steady state no API request waits
 * for a refresh. Every instance sweeps on a jittered interval; each candidate is taken with a
 * try-lock on the tenant's refresh lock (the one requests use): a tenant another instance (or a
 * request) is refreshing is skipped, and the re-check under the lock means one WeChat call per
 * tenant however many instances sweep. A bounded number of refreshes run at once per instance,
 * candidates shuffled so instances start on different tenants.
 */
@Injectable()
export class AuthorizerTokenRenewer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AuthorizerTokenRenewer.name);
  private readonly intervalMs: number;
  private readonly concurrency: number;
  private readonly renewals: Counter<'outcome'>;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private sweeping?: Promise<number>;
  /** Other short-lived credentials of a tenant renewed on the same sweep (a feature above registers them). */
  private readonly extras: Array<{ name: string; renewDue: () => Promise<number> }> = [];

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly authorizers: AuthorizersRepository,
    private readonly tokens: AuthorizerTokensService,
    metrics: MetricsService,
  ) {
    this.intervalMs = config.tokenRenewal?.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.concurrency = config.tokenRenewal?.concurrency ?? DEFAULT_CONCURRENCY;
    this.renewals = new Counter({
      name: 'authorizer_token_background_renewals_total',
      help: 'Authorizer token refreshes run by the background renewer, by outcome',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
  }

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.sweeping?.catch(() => undefined);
  }

  /** Adds `renewDue` (returns how many it renewed) to every sweep, after the tokens. */
  alsoRenew(name: string, renewDue: () => Promise<number>): void {
    this.extras.push({ name, renewDue });
  }

  /** One pass over every due tenant; resolves with the number WeChat was asked to renew. */
  sweep(): Promise<number> {
    this.sweeping ??= this.runSweep().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private schedule(): void {
    if (this.stopped) return;
    // ±20 % so instances started together do not sweep in step.
    const delay = this.intervalMs * (0.8 + Math.random() * 0.4);
    this.timer = setTimeout(() => {
      void this.sweep()
        .catch((e: Error) => this.logger.warn({ err: e.message }, 'token renewal sweep failed'))
        .finally(() => this.schedule());
    }, delay);
    this.timer.unref();
  }

  private async runSweep(): Promise<number> {
    let renewed = await this.sweepTokens();
    for (const extra of this.extras) {
      if (this.stopped) break;
      try {
        renewed += await extra.renewDue();
      } catch (e) {
        this.logger.warn({ what: extra.name, err: (e as Error).message }, 'background renewal failed; next sweep retries');
      }
    }
    return renewed;
  }

  private async sweepTokens(): Promise<number> {
    let renewed = 0;
    const tried = new Set<TenantId>();
    while (!this.stopped) {
      const due = (await this.authorizers.dueForRenewal(RENEW_MARGIN_MS / 1000, PAGE + tried.size)).filter(
        (id) => !tried.has(id),
      );
      if (!due.length) return renewed;
      shuffle(due);
      for (const id of due) tried.add(id);
      let next = 0;
      const worker = async () => {
        while (!this.stopped && next < due.length) {
          const tenantId = due[next++];
          try {
            if (await this.tokens.renewIfDue(tenantId, RENEW_MARGIN_MS)) {
              renewed++;
              this.renewals.inc({ outcome: 'renewed' });
            }
          } catch (e) {
            this.renewals.inc({ outcome: 'failed' });
            this.logger.warn({ tenantId, err: (e as Error).message }, 'background token renewal failed; next sweep retries');
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.concurrency, due.length) }, worker));
    }
    return renewed;
  }
}

function shuffle<T>(a: T[]): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
}
