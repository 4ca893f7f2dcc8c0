import type { RequestHandler } from 'express';
import { parseTenantId, type TenantId } from '../tenants/tenant-id';
import type { AnyCaller } from './caller';

/**
 * A body parser for one tenant route that only runs for a caller whose key may use that tenant
 * (an operator, or the tenant's own key): routes that accept large or raw bodies install it before
 * the app's 1 MB JSON parser, so nobody without a valid key can make us read more. Everyone else
 * falls through to the usual parsers and the guard answers them as usual.
 */
export function keyedBodyParser(
  route: RegExp,
  parse: RequestHandler,
  callerFor: (authorization: string | undefined) => Promise<AnyCaller | undefined>,
): RequestHandler {
  return (req, res, next) => {
    const match = req.method === 'POST' ? route.exec(req.originalUrl ?? req.url) : null;
    if (!match || !/^Bearer\s+\S/i.test(req.headers.authorization ?? '')) return next();
    callerFor(req.headers.authorization).then(
      (caller) => {
        // Nothing here may throw (we are in a promise callback): a segment that is no tenant id,
        // a malformed escape included, matches no tenant key; the route answers it as usual.
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
