import { DynamicModule, Global, Module } from '@nestjs/common';
import { SecretCipher } from '@app/common';
import { GATEWAY_CONFIG, type GatewayConfig } from './gateway-config';

/**
 * Makes the resolved configuration injectable everywhere as GATEWAY_CONFIG, frozen: a
 * service may copy a value in its constructor and must be able to trust it stays true.
 * The secrets cipher is built from it once per app (two apps in one process keep their own keys).
 */
@Global()
@Module({})
export class ConfigHolderModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    const frozen = deepFreeze(config);
    return {
      module: ConfigHolderModule,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: frozen },
        { provide: SecretCipher, useValue: new SecretCipher(frozen.secretsKey, frozen.previousSecretsKey) },
      ],
      exports: [GATEWAY_CONFIG, SecretCipher],
    };
  }
}

function deepFreeze<T>(value: T): T {
  // Buffers (the secrets keys) cannot be frozen; nothing writes to them.
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}
