import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import { ENTITIES } from './entities';

/**
 * The one data source definition: the app builds its TypeORM options from it and the
 * TypeORM CLI loads this file's default export (npm run migration:*). synchronize stays off;
 * the schema changes only through migrations.
 */
export function dataSourceOptions(url: string, overrides: Partial<DataSourceOptions> = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: 20, connectionTimeoutMillis: 5000 },
    ...overrides,
  } as DataSourceOptions;
}

export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? 'postgres://localhost/set_DATABASE_URL'));
