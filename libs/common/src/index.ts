export * from './errors/domain-error';
export * from './secrets/secret-cipher';
