import { DomainError } from '@app/common';
import type { ComponentErrorCode } from '../platform/errors/error-codes';

/** No component_verify_ticket yet (or WeChat rejected it): nothing on the component side can work until the next push. */
export class ComponentTicketMissingError extends DomainError<ComponentErrorCode> {
  /** WeChat pushes a ticket every 10 minutes; after api_start_push_ticket usually within a minute. */
  readonly retryAfterSeconds = 60;

  constructor() {
    super('COMPONENT_TICKET_MISSING', 'WeChat has not pushed a component_verify_ticket yet; try again shortly.');
  }
}

/** The component's own daily budget for a WeChat API (COMPONENT_DAILY_CALL_BUDGET) is spent: no call until the reset. */
export class ComponentBudgetExhaustedError extends DomainError<ComponentErrorCode> {
  constructor(
    readonly api: string,
    readonly retryAfterSeconds: number,
  ) {
    super(
      'COMPONENT_DAILY_BUDGET_EXHAUSTED',
      `The component's daily budget for ${api} is used up; it resets at midnight China time.`,
      {
        api,
      },
    );
  }
}
