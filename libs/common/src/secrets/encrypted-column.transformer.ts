import type { ValueTransformer } from 'typeorm';
import type { SecretCipher } from './secret-cipher';

/**
 * TypeORM transformer for encrypted columns. Entities are declared before the key is
 * known (decorators run at import), so the cipher is installed once at start-up.
 */
let installed: SecretCipher | undefined;

export function installColumnCipher(cipher: SecretCipher): void {
  installed = cipher;
}

function cipher(): SecretCipher {
  if (!installed) throw new Error('encrypted column used before installColumnCipher() was called');
  return installed;
}

export const encryptedColumn: ValueTransformer = {
  to: (value: string | null | undefined) => (value === null || value === undefined ? value : cipher().encrypt(value)),
  from: (value: string | null | undefined) => (value === null || value === undefined ? value : cipher().decrypt(value)),
};
