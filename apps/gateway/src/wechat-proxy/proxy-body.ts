import { raw, type RequestHandler } from 'express';
import type { AnyCaller } from '../auth/caller';
import { parseTenantId, type TenantId } from '../tenants/tenant-id';

/** Media uploads (cgi-bin/media/upload and the like) may be up to 10 MB. */
export const WECHAT_PROXY_BODY_LIMIT = '10mb';
const PROXY_ROUTE = /^\/v1\/tenants\/([^/?]+)\/wechat\//;

/**
 * Reads the body of a proxied call as bytes, whatever its content type (JSON, multipart, …), so
 * it reaches WeChat byte for byte; installed before the app's JSON parser, which then skips the
 * already-read body. Only a caller whose key may use the tenant's routes gets it read (10 MB), so
 * nobody without a valid key can make us read 10 MB; the guard answers everyone else as usual.
 */
export function wechatProxyBodyParser(
  callerFor: (authorization: string | undefined) => Promise<AnyCaller | undefined>,
): RequestHandler {
  const parse = raw({ type: () => true, limit: WECHAT_PROXY_BODY_LIMIT });
  return (req, res, next) => {
    const match = req.method === 'POST' ? PROXY_ROUTE.exec(req.originalUrl ?? req.url) : null;
    if (!match || !/^Bearer\s+\S/i.test(req.headers.authorization ?? '')) return next();
    callerFor(req.headers.authorization).then(
      (caller) => {
        const tenantId = tenantIdOf(match[1]);
        const allowed =
          caller?.actor === 'operator' || (caller?.actor === 'tenant' && tenantId !== undefined && caller.tenantId === tenantId);
        if (allowed) parse(req, res, next);
        else next();
      },
      (err: unknown) => next(err),
    );
  };
}

/** The path segment as a tenant id; undefined when it is none (or not even a valid escape). */
function tenantIdOf(segment: string): TenantId | undefined {
  try {
    return parseTenantId(decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}
