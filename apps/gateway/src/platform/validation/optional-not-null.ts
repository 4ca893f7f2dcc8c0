import { ValidateIf } from 'class-validator';

/**
 * The field may be left out, but null is not a value for it: IsOptional would let null through
 * to the service, which reads it as a string. Validated by the field's other rules when present.
 */
export function OptionalNotNull(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}
