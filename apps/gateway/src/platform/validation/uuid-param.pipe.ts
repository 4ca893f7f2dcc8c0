import type { PipeTransform } from '@nestjs/common';
import { isUuid } from '@app/common';

/**
 * Every `:…Id` path segment that names a row by UUID (jobs, endpoints, events, token keys):
 * checked and lower-cased here, once, so services and repositories never see an unchecked or
 * upper-case id (tenant ids have their own guard and `TenantId`). A segment that is no UUID names
 * nothing, which is a 404, never a 400: with `notFound`, the pipe throws that error; without, it
 * hands on `undefined` and the service answers its not-found in its own order (an endpoint's
 * before its event's, an unknown tenant's before its key's); services take `string | undefined`.
 * Controllers still declare the parameter `string`: the OpenAPI document reads its design type,
 * and a union would read as an object.
 */
export class UuidParamPipe implements PipeTransform<unknown, string | undefined> {
  constructor(private readonly notFound?: () => Error) {}

  transform(value: unknown): string | undefined {
    if (isUuid(value)) return value.toLowerCase();
    if (this.notFound) throw this.notFound();
    return undefined;
  }
}
