import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { SimCore } from '../core';
import { ControlError } from '../errors';
import type { Control } from './control';
import { runGoLiveCheck } from './go-live-check';

type Handler = (req: Request) => unknown | Promise<unknown>;

/** The test-only control API under /__sim (JSON in, JSON out). Every route is listed in README.md. */
export function controlRouter(sim: SimCore, control: Control): Router {
  const { authorizers, faultsQuotas, settings, messages } = control;
  const router = Router();
  router.use(express.json({ limit: '50mb', strict: false }));

  const route = (status: number, handler: Handler) => async (req: Request, res: Response) => {
    const result = await handler(req);
    if (result === undefined) res.status(204).end();
    else res.status(status).json(result);
  };
  const appId = (req: Request) => String(req.params.appId);
  const flag = (v: unknown) => v === '1' || v === 'true';

  router.get(
    '/',
    route(200, () => settings.info()),
  );

  router.get(
    '/authorizers',
    route(200, (req) => authorizers.listAuthorizers(flag(req.query.followers))),
  );
  router.post(
    '/authorizers',
    route(201, (req) => authorizers.createAuthorizer(req.body)),
  );
  router.get(
    '/authorizers/:appId',
    route(200, (req) => authorizers.getAuthorizer(appId(req), req.query.followers !== '0')),
  );
  router.patch(
    '/authorizers/:appId',
    route(200, (req) => authorizers.updateAuthorizer(appId(req), req.body)),
  );
  router.post(
    '/authorizers/:appId/revoke',
    route(200, (req) => authorizers.revoke(appId(req), req.body)),
  );
  router.post(
    '/authorizers/:appId/reauthorize',
    route(200, (req) => authorizers.reauthorize(appId(req), req.body)),
  );

  // Follower messages and account events to the message URL; answers the push and the gateway's reply.
  router.post(
    '/authorizers/:appId/messages',
    route(200, (req) => messages.sendMessage(appId(req), req.body)),
  );
  router.post(
    '/go-live-check',
    route(200, (req) => runGoLiveCheck(sim, messages, req.body)),
  );
  router.get(
    '/custom-messages',
    route(200, () => sim.state.customMessages),
  );
  router.put(
    '/message-url',
    route(200, (req) => settings.setMessageUrl(req.body)),
  );

  router.post(
    '/next-authorization',
    route(200, (req) => authorizers.setNextAuthorization(req.body)),
  );
  router.delete(
    '/next-authorization',
    route(204, () => authorizers.clearNextAuthorization()),
  );

  router.post(
    '/expire-tokens',
    route(200, (req) => authorizers.expireTokens(req.body)),
  );

  router.get(
    '/faults',
    route(200, () => sim.faults.list()),
  );
  router.post(
    '/faults',
    route(201, (req) => faultsQuotas.addFault(req.body)),
  );
  router.delete(
    '/faults',
    route(204, () => sim.faults.clear()),
  );

  router.get(
    '/calls',
    route(200, (req) => faultsQuotas.calls(req.query)),
  );
  router.delete(
    '/calls',
    route(204, () => sim.callLog.clear()),
  );

  router.get(
    '/pushes',
    route(200, () => sim.pusher.list()),
  );
  router.delete(
    '/pushes',
    route(204, () => sim.pusher.clear()),
  );
  router.post(
    '/pushes/release',
    route(200, () => sim.pusher.releaseHeld()),
  );
  router.post(
    '/push-ticket',
    route(200, () => sim.pushTicket()),
  );
  router.put(
    '/event-url',
    route(200, (req) => settings.setEventUrl(req.body)),
  );

  router.get(
    '/quotas',
    route(200, (req) => faultsQuotas.quotaUsage(req.query)),
  );
  router.post(
    '/quotas',
    route(200, (req) => faultsQuotas.setQuota(req.body)),
  );

  router.patch(
    '/settings',
    route(200, (req) => settings.updateSettings(req.body)),
  );
  router.post(
    '/clock/advance',
    route(200, (req) => settings.advanceClock(req.body)),
  );
  router.post(
    '/reset',
    route(204, () => sim.reset()),
  );

  router.use((req: Request, res: Response) => {
    res.status(404).json({ error: 'not_found', message: `no control route ${req.method} ${req.baseUrl}${req.path}` });
  });
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof ControlError) {
      res.status(err.status).json({
        error: err.status === 400 ? 'bad_request' : err.status === 404 ? 'not_found' : 'conflict',
        message: err.message,
      });
      return;
    }
    // Malformed JSON from express.json().
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed' || e?.status === 400) {
      res.status(400).json({ error: 'bad_request', message: `invalid JSON body: ${e.message}` });
      return;
    }
    sim.log({ msg: 'control route failed', error: String((err as Error)?.stack ?? err) });
    res.status(500).json({ error: 'simulator_internal_error', message: String((err as Error)?.message ?? err) });
  });
  return router;
}
