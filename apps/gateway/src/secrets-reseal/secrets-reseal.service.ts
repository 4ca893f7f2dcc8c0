import { Injectable, Logger } from '@nestjs/common';
import { AuthorizersRepository } from '../authorizers/authorizers.repository';
import { ComponentStateRepository } from '../component/component-state.repository';
import type { ResealCount } from '../platform/database/sealed-columns';
import { JsTicketsRepository } from '../jssdk/js-tickets.repository';
import { OnboardingRepository } from '../onboarding/onboarding.repository';
import { WebhookEndpointsRepository } from '../webhooks/webhook-endpoints.repository';

export type ResealReport = Record<
  'authorizers' | 'component_state' | 'webhook_endpoints' | 'pre_auth_codes' | 'jssdk_tickets',
  ResealCount
>;

/**
 * Completes a key rotation: every sealed column re-encrypted under SECRETS_ENCRYPTION_KEY by the
 * repository that owns its table, row by row (compare-and-swap), so it may run while instances
 * serve. Afterwards SECRETS_PREVIOUS_ENCRYPTION_KEY can be dropped (the component status route
 * reports what is left under other keys).
 */
@Injectable()
export class SecretsReseal {
  private readonly logger = new Logger(SecretsReseal.name);

  constructor(
    private readonly authorizers: AuthorizersRepository,
    private readonly componentState: ComponentStateRepository,
    private readonly webhookEndpoints: WebhookEndpointsRepository,
    private readonly onboarding: OnboardingRepository,
    private readonly jsTickets: JsTicketsRepository,
  ) {}

  async run(): Promise<ResealReport> {
    const report: ResealReport = {
      authorizers: await this.authorizers.resealSecrets(),
      component_state: await this.componentState.resealSecrets(),
      webhook_endpoints: await this.webhookEndpoints.resealSecrets(),
      pre_auth_codes: await this.onboarding.resealSecrets(),
      jssdk_tickets: await this.jsTickets.resealSecrets(),
    };
    this.logger.log(report, 'sealed secrets re-encrypted under the current key');
    return report;
  }
}
