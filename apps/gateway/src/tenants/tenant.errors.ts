import { DomainError } from '@app/common';
import type { TenantStatus } from './tenant.entity';
import type { TenantErrorCode } from '../platform/errors/error-codes';

/** Also raised for other tenants' ids under a tenant key: existence is never revealed. */
export class TenantNotFoundError extends DomainError<TenantErrorCode> {
  constructor() {
    super('TENANT_NOT_FOUND', 'No such tenant.');
  }
}

export class TenantExistsError extends DomainError<TenantErrorCode> {
  constructor() {
    super('TENANT_EXISTS', 'A tenant with this externalId already exists.');
  }
}

/** The tenant cannot act on WeChat: not authorized yet, revoked, or needing re-authorization. */
export class TenantNotActiveError extends DomainError<TenantErrorCode> {
  constructor(readonly status: TenantStatus) {
    super('TENANT_NOT_ACTIVE', `The tenant is not active (status: ${status}).`, { status });
  }
}
