import { DynamicModule, Global, Module } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from './gateway-config';

/** Makes the resolved configuration injectable everywhere as GATEWAY_CONFIG. */
@Global()
@Module({})
export class ConfigHolderModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return { module: ConfigHolderModule, providers: [{ provide: GATEWAY_CONFIG, useValue: config }], exports: [GATEWAY_CONFIG] };
  }
}
