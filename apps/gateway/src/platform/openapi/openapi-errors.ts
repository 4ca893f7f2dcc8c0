import type { OpenAPIObject } from '@nestjs/swagger';

type PathItemObject = OpenAPIObject['paths'][string];
type OperationObject = NonNullable<PathItemObject['get']>;
type ResponseObject = { description: string; content: Record<string, { schema: object; example: unknown }> };
import type { ErrorCode } from '../errors/error-codes';
import { ERROR_STATUS } from '../errors/error-status';

/** The one error JSON every error answer has (platform/errors/http-error.filter.ts), as a shared component. */
const ERROR_BODY_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: {
        code: { type: 'string', description: 'Stable machine-readable code (README, "API at a glance").' },
        message: { type: 'string', description: 'For people; English.' },
        requestId: { type: 'string', description: 'Also in the x-request-id header; quote it in support requests.' },
        details: { description: 'Code-specific facts, e.g. fields that failed validation, required permission sets.' },
      },
    },
  },
};

const DESCRIPTIONS: Record<number, string> = {
  400: 'The request is invalid (VALIDATION_FAILED, MALFORMED_BODY, …).',
  401: 'No valid API key (UNAUTHENTICATED).',
  403: 'The key may not do this (FORBIDDEN, PERMISSION_SET_MISSING, …).',
  404: 'No such tenant or resource, or not the caller’s to see (TENANT_NOT_FOUND, …).',
  409: 'The resource is not in a state that allows this (TENANT_NOT_ACTIVE, …).',
  413: 'The body is larger than the route accepts (PAYLOAD_TOO_LARGE).',
  415: 'Unsupported body encoding (UNSUPPORTED_MEDIA_TYPE).',
  429: 'Rate limited or a WeChat quota is spent; see Retry-After (RATE_LIMITED, QUOTA_EXCEEDED).',
  431: 'The request headers are too large (HEADERS_TOO_LARGE; answered by the HTTP server before any route).',
  500: 'An unexpected error; the request id identifies it in the logs (INTERNAL).',
  502: 'WeChat could not be reached or answered an error (WECHAT_UNAVAILABLE, WECHAT_API_ERROR).',
  503: 'A dependency is down (SERVICE_UNAVAILABLE, COMPONENT_TICKET_MISSING); see Retry-After.',
};

/** The example code per status: the code ERROR_STATUS maps there that a caller meets most. */
const EXAMPLE_CODE: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'TENANT_NOT_FOUND',
  409: 'TENANT_NOT_ACTIVE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'QUOTA_EXCEEDED',
  431: 'HEADERS_TOO_LARGE',
  500: 'INTERNAL',
  502: 'WECHAT_UNAVAILABLE',
  503: 'SERVICE_UNAVAILABLE',
};

function errorResponse(status: number): ResponseObject {
  const code = EXAMPLE_CODE[status];
  return {
    description: DESCRIPTIONS[status],
    content: {
      'application/json': {
        schema: { $ref: '#/components/schemas/ErrorBody' },
        example: { error: { code, message: 'See the description of this status.', requestId: '1f0c…' } },
      },
    },
  };
}

/**
 * Which error statuses an operation can answer with, from what the document says about it:
 * keyed routes 401/403/429, `{tenantId}` routes 404 and 409, bodies and queries 400 (and 413/415
 * for bodies), WeChat-backed tenant routes 502; every route 431 (Node's header limit), 500 and 503.
 */
function statusesOf(path: string, method: string, op: OperationObject): number[] {
  const keyed = (op.security ?? []).length > 0;
  const statuses = new Set<number>([431, 500, 503]);
  if (keyed) [401, 403, 429].forEach((s) => statuses.add(s));
  if (path.includes('{')) statuses.add(404);
  if (path.includes('{tenantId}')) statuses.add(409);
  const hasQuery = (op.parameters ?? []).some((p: object) => 'in' in p && p.in === 'query');
  if (op.requestBody || hasQuery || path.includes('{')) statuses.add(400);
  if (op.requestBody) [413, 415].forEach((s) => statuses.add(s));
  if (path.includes('{tenantId}') && method !== 'delete') statuses.add(502);
  return [...statuses].sort((a, b) => a - b);
}

/**
 * Completes the generated document so a client generator can trust it: every operation documents
 * the error answers it can give with the shared ErrorBody schema (keeping any it declared), and
 * public operations say explicitly that they need no key. Statuses come from ERROR_STATUS's range.
 */
export function documentErrors(doc: OpenAPIObject): OpenAPIObject {
  const known = new Set(Object.values(ERROR_STATUS) as number[]);
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, ErrorBody: ERROR_BODY_SCHEMA } };
  for (const [path, item] of Object.entries(doc.paths) as [string, PathItemObject][]) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const op = item[method];
      if (!op) continue;
      op.security ??= []; // public: health and readiness
      for (const status of statusesOf(path, method, op)) {
        if (!known.has(status)) continue;
        op.responses[String(status)] ??= errorResponse(status);
      }
    }
  }
  return doc;
}
