import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SecretCipher } from '@app/common';
import { AuthorizersRepository } from '../authorizers/authorizers.repository';
import { ComponentStateRepository } from '../component/component-state.repository';
import { dataSourceOptions } from '../data-source';
import { ChangeNotices } from '../platform/database/change-notices';
import { JsTicketsRepository } from '../jssdk/js-tickets.repository';
import { OnboardingRepository } from '../onboarding/onboarding.repository';
import { WebhookEndpointsRepository } from '../webhooks/webhook-endpoints.repository';
import { SecretsReseal } from './secrets-reseal.service';

export interface ResealSettings {
  databaseUrl: string;
  secretsKey: Buffer;
  previousSecretsKey?: Buffer;
}

/**
 * Just what the reseal needs: the data source, the cipher and the repositories that own
 * sealed columns. No HTTP, no workers (the script runs beside serving instances).
 */
@Module({})
export class SecretsResealModule {
  static forRoot(s: ResealSettings): DynamicModule {
    return {
      module: SecretsResealModule,
      imports: [TypeOrmModule.forRoot({ ...dataSourceOptions(s.databaseUrl), extra: { max: 2 } })],
      providers: [
        { provide: SecretCipher, useValue: new SecretCipher(s.secretsKey, s.previousSecretsKey) },
        ChangeNotices,
        AuthorizersRepository,
        ComponentStateRepository,
        WebhookEndpointsRepository,
        OnboardingRepository,
        JsTicketsRepository,
        SecretsReseal,
      ],
    };
  }
}
