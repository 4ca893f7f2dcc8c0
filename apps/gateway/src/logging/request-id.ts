import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type WithId = IncomingMessage & { id?: unknown };

/** Assigns the request id (a valid `x-request-id` or a new UUID) and echoes it; called once, by the first middleware. */
export function requestIdFor(req: WithId, res: ServerResponse): string {
  // Assigned before body parsing, whose errors need it too.
  if (typeof req.id === 'string') return req.id;
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', id);
  req.id = id;
  return id;
}

/** The id the first middleware assigned ('' only if it never ran). */
export function requestIdOf(req: WithId): string {
  return typeof req.id === 'string' ? req.id : '';
}

/** The request id, for handlers that record it (audit events, jobs). */
export const RequestId = createParamDecorator((_data: unknown, ctx: ExecutionContext): string =>
  requestIdOf(ctx.switchToHttp().getRequest<WithId>()),
);
