import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../apps/gateway/src/data-source';
import { createEmptyTestDatabase } from './support/test-database';

/**
 * The migrations are the schema; the entities must describe it exactly. Otherwise
 * `typeorm migration:generate` proposes a destructive diff (dropping foreign keys, indexes,
 * checks, defaults) that the next developer might commit. The schema builder's log() is what
 * migration:generate writes out, so after all migrations it must have nothing to say.
 */
describe('schema drift between entities and migrations', () => {
  let ds: DataSource;
  beforeAll(async () => {
    ds = await new DataSource(dataSourceOptions(await createEmptyTestDatabase())).initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
  });

  const pendingSchemaChanges = async (): Promise<string[]> => {
    const log = await ds.driver.createSchemaBuilder().log();
    return log.upQueries.map((q) => q.query);
  };

  it('the comparison sees a schema the entities do not match (an empty database)', async () => {
    // Guards the check below against passing vacuously.
    expect((await pendingSchemaChanges()).some((q) => /CREATE TABLE "tenants"/.test(q))).toBe(true);
  });

  it('after every migration, the entities describe the schema exactly (migration:generate finds nothing)', async () => {
    await ds.runMigrations({ transaction: 'each' });
    expect(await pendingSchemaChanges()).toEqual([]);
  });
});
