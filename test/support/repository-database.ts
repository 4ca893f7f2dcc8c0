import { randomBytes } from 'node:crypto';
import { SecretCipher } from '@app/common';
import { DataSource } from 'typeorm';
import { createTestDatabase } from './test-database';
import { dataSourceOptions } from '../../apps/gateway/src/data-source';

/** For repository specs: a fresh migrated database (cloned from the test template), a data source on it, a cipher. */
export async function repositorySpecDatabase(): Promise<{ dataSource: DataSource; cipher: SecretCipher }> {
  const dataSource = new DataSource(dataSourceOptions(await createTestDatabase(), { extra: { max: 4 } }));
  await dataSource.initialize();
  return { dataSource, cipher: new SecretCipher(randomBytes(32)) };
}
