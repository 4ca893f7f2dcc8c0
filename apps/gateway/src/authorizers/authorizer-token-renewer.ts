import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { LoopTask, type LoopTaskHandler } from '../platform/background/background-task';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { MetricsService } from '../platform/metrics/metrics.service';
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
 * for a refresh. A loop on every instance (platform/background/), on a jittered interval; each candidate is taken with a
 * try-lock on the tenant's refresh lock (the one requests use): a tenant another instance (or a
 * request) is refreshing is skipped, and the re-check under the lock means one WeChat call per
 * tenant however many instances sweep. A bounded number of refreshes run at once per instance,
 * candidates shuffled so instances start on different tenants.
 */
@LoopTask('token-renewal')
@Injectable()
export class AuthorizerTokenRenewer implements LoopTaskHandler {
  private readonly logger = new Logger(AuthorizerTokenRenewer.name);
  private readonly intervalMs: number;
  private readonly concurrency: number;
  private readonly renewals: Counter<'outcome'>;
  private sweeping?: Promise<number>;
  readonly runAtStart = false;

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

  /** ±20 % so instances started together do not sweep in step. */
  nextDelayMs(): number {
    return this.intervalMs * (0.8 + Math.random() * 0.4);
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.sweep(signal);
  }

  /** One pass over every due tenant; resolves with the number WeChat was asked to renew. */
  sweep(signal?: AbortSignal): Promise<number> {
    this.sweeping ??= this.runSweep(signal).finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async runSweep(signal?: AbortSignal): Promise<number> {
    let renewed = 0;
    const tried = new Set<TenantId>();
    while (!signal?.aborted) {
      const due = (await this.authorizers.dueForRenewal(RENEW_MARGIN_MS / 1000, PAGE + tried.size)).filter(
        (id) => !tried.has(id),
      );
      if (!due.length) return renewed;
      shuffle(due);
      for (const id of due) tried.add(id);
      let next = 0;
      const worker = async () => {
        while (!signal?.aborted && next < due.length) {
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
