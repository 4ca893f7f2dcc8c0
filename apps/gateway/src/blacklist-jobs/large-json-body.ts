import { json, type RequestHandler } from 'express';
import type { AnyCaller } from '../auth/caller';
import { parseTenantId, type TenantId } from '../tenants/tenant-id';

/** A million 64-character openids is about 67 MB of JSON. */
export const BLACKLIST_JOBS_BODY_LIMIT = '80mb';
const JOBS_ROUTE = /^\/v1\/tenants\/([^/?]+)\/blacklist\/jobs\/?(?:\?.*)?$/;

/**
 * The one route allowed a body over the app's 1 MB limit: POST .../blacklist/jobs. Installed
 * before the global JSON parser, which then skips the already-read body. Only a caller whose key
 * may use this tenant's route gets the large limit, so nobody without a valid key can make us read
 * 80 MB; everyone else keeps the 1 MB limit (and the guard answers them as usual).
 */
export function blacklistJobsBodyParser(
  callerFor: (authorization: string | undefined) => Promise<AnyCaller | undefined>,
): RequestHandler {
  const parse = json({ limit: BLACKLIST_JOBS_BODY_LIMIT, inflate: false });
  return (req, res, next) => {
    const match = req.method === 'POST' ? JOBS_ROUTE.exec(req.originalUrl ?? req.url) : null;
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
