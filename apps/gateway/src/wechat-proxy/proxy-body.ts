import { raw, type RequestHandler } from 'express';
import type { AnyCaller } from '../auth/caller';
import { keyedBodyParser } from '../auth/keyed-body-parser';

/** Media uploads (cgi-bin/media/upload and the like) may be up to 10 MB. */
export const WECHAT_PROXY_BODY_LIMIT = '10mb';
const PROXY_ROUTE = /^\/v1\/tenants\/([^/?]+)\/wechat\//;

/**
 * Reads the body of a proxied call as bytes, whatever its content type (JSON, multipart, …), so
 * it reaches WeChat byte for byte; only for callers who may use the tenant's routes (10 MB).
 */
export function wechatProxyBodyParser(
  callerFor: (authorization: string | undefined) => Promise<AnyCaller | undefined>,
): RequestHandler {
  return keyedBodyParser(PROXY_ROUTE, raw({ type: () => true, limit: WECHAT_PROXY_BODY_LIMIT }), callerFor);
}
