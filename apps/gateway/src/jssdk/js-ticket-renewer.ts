import { Inject, Injectable } from '@nestjs/common';
import { LoopTask, type LoopTaskHandler } from '../platform/background/background-task';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { JsSdkService } from './jssdk.service';

const DEFAULT_INTERVAL_MS = 30_000;

/**
 * Renews the tenants' JS-SDK tickets ahead of expiry, so a signature never waits for a getticket
 * in steady state. A loop on every instance at the authorizer token renewal's cadence
 * (TOKEN_RENEWAL_INTERVAL_MS, jittered); JsSdkService.renewDue takes each ticket under a try-lock
 * of its refresh lock, so one getticket per ticket however many instances sweep.
 */
@LoopTask('jssdk-ticket-renewal')
@Injectable()
export class JsTicketRenewer implements LoopTaskHandler {
  readonly runAtStart = false;
  private readonly intervalMs: number;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly jssdk: JsSdkService,
  ) {
    this.intervalMs = config.tokenRenewal?.intervalMs ?? DEFAULT_INTERVAL_MS;
  }

  /** ±20 % so instances started together do not sweep in step. */
  nextDelayMs(): number {
    return this.intervalMs * (0.8 + Math.random() * 0.4);
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.jssdk.renewDue(signal);
  }
}
