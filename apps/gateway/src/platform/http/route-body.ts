import { RouteConfig } from '@nestjs/platform-fastify';
import type { RouteOptions } from 'fastify';

/** Every route's body limit unless it says otherwise (JSON, XML pushes, console forms). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** POST .../blacklist/jobs: a million 64-character openids is about 67 MB of JSON. */
export const BLACKLIST_JOBS_BODY_LIMIT = 80 * 1024 * 1024;
/** POST .../wechat/<path>: media uploads (cgi-bin/media/upload and the like) may be up to 10 MB. */
export const WECHAT_PROXY_BODY_LIMIT = 10 * 1024 * 1024;

/** How a route takes its body, read by the content-type parsers (body-parsers.ts) and the onRoute hook below. */
export interface RouteBodyOptions {
  /** Bytes; DEFAULT_BODY_LIMIT when absent. Larger limits are only read for a caller admitted to the route's tenant. */
  bodyLimit?: number;
  /** The body as bytes whatever its content type (JSON, multipart …), byte for byte. */
  raw?: boolean;
  /** These content types are handed to the handler as the request stream, never buffered (the handler bounds them). */
  streamed?: string[];
}

/** Declares a route's body handling (Fastify route config, so the parsers see it per request). */
export const RouteBody = (options: RouteBodyOptions) => RouteConfig({ body: options });

export function routeBodyOf(config: unknown): RouteBodyOptions | undefined {
  return (config as { body?: RouteBodyOptions } | undefined)?.body;
}

/** Fastify `onRoute` hook: a route's own body limit becomes Fastify's per-route `bodyLimit`. */
export function applyRouteBodyLimit(route: RouteOptions): void {
  const limit = routeBodyOf(route.config)?.bodyLimit;
  if (limit !== undefined) route.bodyLimit = limit;
}

/** A route that reads more than the default, or raw bytes: its tenant must be the caller's before a byte is read. */
export function bodyNeedsTenantAdmission(config: unknown): boolean {
  const body = routeBodyOf(config);
  return body !== undefined && (body.raw === true || (body.bodyLimit ?? 0) > DEFAULT_BODY_LIMIT);
}
