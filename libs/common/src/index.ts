export * from './errors/domain-error';
export * from './secrets/secret-cipher';
export * from './secrets/encrypted-column.transformer';
