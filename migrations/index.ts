/** Every migration, in order. The app and the CLI data source both read this list. */
export const MIGRATIONS: Function[] = [];
