import { json, type RequestHandler } from 'express';
import type { AnyCaller } from '../auth/caller';
import { keyedBodyParser } from '../auth/keyed-body-parser';

/** A million 64-character openids is about 67 MB of JSON. */
export const BLACKLIST_JOBS_BODY_LIMIT = '80mb';
const JOBS_ROUTE = /^\/v1\/tenants\/([^/?]+)\/blacklist\/jobs\/?(?:\?.*)?$/;

/** The one JSON body over the app's 1 MB limit: POST .../blacklist/jobs, for callers who may use it. */
export function blacklistJobsBodyParser(
  callerFor: (authorization: string | undefined) => Promise<AnyCaller | undefined>,
): RequestHandler {
  return keyedBodyParser(JOBS_ROUTE, json({ limit: BLACKLIST_JOBS_BODY_LIMIT, inflate: false }), callerFor);
}
