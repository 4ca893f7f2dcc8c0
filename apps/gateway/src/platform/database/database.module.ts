import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';
import { ChangeNotices } from './change-notices';
import { MigrationRunner } from './migration-runner';
import { SealedSecretsCensus } from './sealed-columns';
import { SessionLocks } from './session-locks';
import { Transactions } from './transactions';

@Module({})
export class DatabaseModule {
  /** `options` come from the app's data-source.ts, which lists every feature's entities (this folder knows none). */
  static forRoot(options: DataSourceOptions): DynamicModule {
    return {
      module: DatabaseModule,
      // Global: every repository-using module runs its transactions through Transactions.
      global: true,
      imports: [
        TypeOrmModule.forRoot({
          // Migrations run in MigrationRunner, under an advisory lock, not by TypeORM directly.
          ...options,
          // Fail fast at start-up instead of retrying for minutes against a wrong URL.
          retryAttempts: 2,
          retryDelay: 500,
        }),
      ],
      providers: [MigrationRunner, Transactions, SessionLocks, SealedSecretsCensus, ChangeNotices],
      exports: [Transactions, SessionLocks, SealedSecretsCensus, ChangeNotices],
    };
  }
}
