import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { GatewayConfig } from '../config/gateway-config';
import { dataSourceOptions } from './data-source';
import { MigrationRunner } from './migration-runner';
import { Transactions } from './transactions';

@Module({})
export class DatabaseModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: DatabaseModule,
      // Global: every repository-using module runs its transactions through Transactions.
      global: true,
      imports: [
        TypeOrmModule.forRoot({
          // Migrations run in MigrationRunner, under an advisory lock, not by TypeORM directly.
          ...dataSourceOptions(config.databaseUrl, { migrationsRun: false }),
          // Fail fast at start-up instead of retrying for minutes against a wrong URL.
          retryAttempts: 2,
          retryDelay: 500,
        }),
      ],
      providers: [MigrationRunner, Transactions],
      exports: [Transactions],
    };
  }
}
