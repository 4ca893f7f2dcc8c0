import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { SecretCipher } from '@app/common';
import { DataSource } from 'typeorm';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { resealColumn, SEALED_COLUMNS } from './sealed-columns';

/** Arbitrary but fixed: the advisory lock every instance takes around migrations. */
const MIGRATION_LOCK_KEY = 7_460_311_001;

/**
 * Runs pending migrations at start-up (unless MIGRATIONS_RUN=false) under a PostgreSQL
 * advisory lock, so several instances starting together migrate once, in order. Then, still
 * under the lock, the data step SQL cannot do: secrets sealed before they were bound to their
 * place are sealed again for it (it needs the key, which only the app holds).
 */
@Injectable()
export class MigrationRunner implements OnModuleInit {
  private readonly logger = new Logger(MigrationRunner.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly cipher: SecretCipher,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.migrationsRun) return;
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      const applied = await this.dataSource.runMigrations({ transaction: 'each' });
      if (applied.length > 0) this.logger.log({ migrations: applied.map((m) => m.name) }, 'migrations applied');
      await this.bindSealedValues();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await runner.release();
    }
  }

  /** Unbound (`v1.…`) values re-sealed for their table, column and row; once done, each start finds none. */
  private async bindSealedValues(): Promise<void> {
    let resealed = 0;
    let unreadable = 0;
    for (const c of SEALED_COLUMNS) {
      const n = await resealColumn(this.dataSource, this.cipher, c, { onlyUnbound: true });
      resealed += n.resealed;
      unreadable += n.unreadable;
    }
    if (resealed > 0) this.logger.log({ resealed }, 'sealed secrets bound to their table, column and row');
    // Under a key this instance does not hold: npm run secrets:reseal with that key as the previous one binds them.
    if (unreadable > 0) this.logger.warn({ unreadable }, 'sealed secrets under an unknown key left unbound');
  }
}
