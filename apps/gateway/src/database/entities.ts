/** Every TypeORM entity, listed once: the app module and the CLI data source both read this. */
export const ENTITIES: Function[] = [];
