import { json, type RequestHandler } from 'express';

/** A million 64-character openids is about 67 MB of JSON. */
export const BLACKLIST_JOBS_BODY_LIMIT = '80mb';
const JOBS_ROUTE = /^\/v1\/tenants\/[^/?]+\/blacklist\/jobs\/?(?:\?.*)?$/;

/**
 * The one route allowed a body over the app's 1 MB limit: POST .../blacklist/jobs. Installed
 * before the global JSON parser, which then skips the already-read body. Requests without
 * credentials keep the 1 MB limit (the key itself is checked later by the guard).
 */
export function blacklistJobsBodyParser(): RequestHandler {
  const parse = json({ limit: BLACKLIST_JOBS_BODY_LIMIT });
  return (req, res, next) => {
    const url = req.originalUrl ?? req.url;
    if (req.method === 'POST' && JOBS_ROUTE.test(url) && /^Bearer\s+\S/i.test(req.headers.authorization ?? '')) {
      parse(req, res, next);
      return;
    }
    next();
  };
}
