import { ValidateBy, type ValidationOptions } from 'class-validator';

/**
 * The URL parses with WHATWG `new URL` (what Node's HTTP client and every later reader use) as
 * an http(s) URL. isURL alone accepts hosts the WHATWG parser refuses (`a.0x7f`, a zone id in
 * brackets), which would fail later, at delivery, instead of at registration.
 */
export function IsWhatwgHttpUrl(options: ValidationOptions = {}): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isWhatwgHttpUrl',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parsesAsHttpUrl(value),
        defaultMessage: (args) => `${args?.property ?? 'value'} must be an absolute http(s) URL`,
      },
    },
    options,
  );
}

export function parsesAsHttpUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}
