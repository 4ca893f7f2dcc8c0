import { DomainError } from '@app/common';
import type { WebhookErrorCode } from '../platform/errors/error-codes';

/** Also the answer for another tenant's endpoint or a malformed id: existence is never revealed. */
export class WebhookEndpointNotFoundError extends DomainError<WebhookErrorCode> {
  constructor() {
    super('WEBHOOK_ENDPOINT_NOT_FOUND', 'No such webhook endpoint.');
  }
}

export class WebhookEventNotFoundError extends DomainError<WebhookErrorCode> {
  constructor() {
    super('WEBHOOK_EVENT_NOT_FOUND', 'No such event for this webhook endpoint.');
  }
}

/** The URL's host is (or resolves to) an address the gateway must not call: loopback, private, link-local... */
export class WebhookUrlNotAllowedError extends DomainError<WebhookErrorCode> {
  constructor(reason: string) {
    super('WEBHOOK_URL_NOT_ALLOWED', `This webhook URL is not allowed: ${reason}.`);
  }
}

/** A tenant already has as many endpoints as WEBHOOK_ENDPOINTS_PER_TENANT allows. */
export class TooManyEndpointsError extends DomainError<WebhookErrorCode> {
  constructor(max: number) {
    super('TOO_MANY_ENDPOINTS', `A tenant may have at most ${max} webhook endpoints; delete one first.`);
  }
}
