import { ValidationError } from '@app/common';

/** The page URL to sign: why it cannot be signed, as a field error. */
export function signatureUrlInvalid(message: string): ValidationError {
  return new ValidationError('The request is invalid.', { fields: [{ field: 'url', messages: [message] }] });
}
