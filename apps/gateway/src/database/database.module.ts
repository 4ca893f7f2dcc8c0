import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { GatewayConfig } from '../config/gateway-config';
import { dataSourceOptions } from './data-source';

@Module({})
export class DatabaseModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config.databaseUrl, { migrationsRun: config.migrationsRun }),
          // Fail fast at start-up instead of retrying for minutes against a wrong URL.
          retryAttempts: 2,
          retryDelay: 500,
        }),
      ],
    };
  }
}
