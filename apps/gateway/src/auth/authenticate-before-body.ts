import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AnyCaller } from './caller';

/** Every /v1 route takes a key; the public ones (onboarding pages, WeChat callback and pushes, health, metrics, docs) live elsewhere. */
const KEYED_PATH = /^\/v1(\/|$)/;

/**
 * Installed before the body parsers: a keyed route's body is only read once the key is known
 * good, so an anonymous caller gets 401 (or 429) without making us parse anything. The guard
 * reuses the result (ApiKeyGuard.authenticate resolves a request once).
 */
export function authenticateBeforeBody(authenticate: (req: Request) => Promise<AnyCaller>): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (!hasBody || !KEYED_PATH.test(req.path)) return next();
    authenticate(req).then(() => next(), next);
  };
}
