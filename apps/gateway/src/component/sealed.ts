import { encryptedColumn } from '@app/common';

/** Encrypts / decrypts a secret for raw SQL, with the same cipher as the encrypted entity columns. */
export const seal = (value: string): string => encryptedColumn.to(value) as string;
export const unseal = (value: string | null | undefined): string | null =>
  value === null || value === undefined ? null : (encryptedColumn.from(value) as string);
