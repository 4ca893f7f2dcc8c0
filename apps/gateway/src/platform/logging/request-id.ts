import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type WithId = { id?: unknown; headers: IncomingHttpHeaders };

/**
 * The request's id: a valid `x-request-id` or a new UUID, assigned once, when the request
 * arrives (Fastify's genReqId, so body parsing errors and the log line have it too).
 */
export function assignRequestId(req: WithId): string {
  if (typeof req.id === 'string') return req.id;
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  req.id = id;
  return id;
}

/** The id assignRequestId gave the request ('' only if it never ran). */
export function requestIdOf(req: { id?: unknown }): string {
  return typeof req.id === 'string' ? req.id : '';
}

/** The request id, for handlers that record it (audit events, jobs). */
export const RequestId = createParamDecorator((_data: unknown, ctx: ExecutionContext): string =>
  requestIdOf(ctx.switchToHttp().getRequest<{ id?: unknown }>()),
);
