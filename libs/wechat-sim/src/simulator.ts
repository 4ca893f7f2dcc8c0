import express, { type NextFunction, type Request, type Response } from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { blacklistRoutes } from './api/blacklist.routes';
import { componentRoutes } from './api/component.routes';
import { createApiHandler } from './api/pipeline';
import { messageRoutes } from './api/message.routes';
import { quotaRoutes } from './api/quota.routes';
import { mediaRoutes } from './api/media.routes';
import { officialAccountRoutes } from './api/official-account.routes';
import { webOAuthRoutes } from './api/web-oauth.routes';
import { webOAuthPageRouter } from './pages/web-oauth.routes';
import type { AuthorizerView } from './authorizers';
import type { CallFilter, CallLogEntry } from './call-log';
import {
  type CreateAuthorizerRequest,
  type CreateAuthorizerResult,
  type ExpireTokensRequest,
  type NextAuthorizationRequest,
  type ReauthorizeRequest,
  type RevokeRequest,
  type UpdateAuthorizerRequest,
} from './control/authorizers.control';
import { type Control, createControl } from './control/control';
import { controlRouter } from './control/control.routes';
import type { QuotaRequest } from './control/faults-quotas.control';
import { type GoLiveCheckRequest, type GoLiveCheckResult, runGoLiveCheck } from './control/go-live-check';
import type { SendMessageRequest } from './control/messages.control';
import type { MessageExchange } from './follower-messages';
import type { SentCustomMessage } from './state';
import type { SettingsRequest } from './control/settings.control';
import { type AuthorizeResult, SimCore } from './core';
import type { Fault, FaultInput } from './faults';
import { resolveOptions, type ResolvedOptions, type SimulatorOptions } from './options';
import { authorizationPageRouter } from './pages/authorization.routes';
import type { PushRecord } from './pusher';
import type { SimSettings } from './state';

export interface WeChatSimulator {
  /** Where it listens, e.g. http://127.0.0.1:41234 (use as the WeChat API base URL). */
  readonly url: string;
  readonly options: ResolvedOptions;
  setEventUrl(url: string): void;
  /** The message and event URL template, `$APPID$` standing for the account's appid. */
  setMessageUrl(url: string): void;
  /** A follower message or account event to the message URL, retried like WeChat; the push and the reply. */
  sendMessage(appId: string, req: SendMessageRequest): Promise<MessageExchange>;
  /** WeChat's go-live check against the message URL (POST /__sim/go-live-check). */
  goLiveCheck(req?: GoLiveCheckRequest): Promise<GoLiveCheckResult>;
  /** JS-SDK tickets getticket issued for the account and type, oldest first. */
  jsTickets(appId: string, type?: 'jsapi' | 'wx_card'): string[];
  /** Customer-service messages accounts sent (message/custom/send), oldest first. */
  customMessages(): SentCustomMessage[];
  /** Issues a ticket and pushes it; rejects unless the receiver answered `success`. */
  pushTicket(): Promise<void>;
  calls(filter?: CallFilter): CallLogEntry[];
  clearCalls(): void;
  /** Everything pushed (or held, suppressed, failed), oldest first. */
  pushes(): PushRecord[];
  clearPushes(): void;
  /** Delivers events kept with push mode 'hold'. */
  releaseHeldPushes(): Promise<PushRecord[]>;
  /** Back to the start; keeps the component identity and the event URL. Pushes no ticket. */
  reset(): void;
  close(): Promise<void>;

  // Direct state helpers mirroring the control API (same validation; ControlError on bad input).
  createAuthorizer(req?: CreateAuthorizerRequest): Promise<CreateAuthorizerResult>;
  getAuthorizer(appId: string): AuthorizerView;
  listAuthorizers(): AuthorizerView[];
  updateAuthorizer(appId: string, req: UpdateAuthorizerRequest): AuthorizerView;
  setNextAuthorization(req?: NextAuthorizationRequest): { appId: string; created: boolean };
  clearNextAuthorization(): void;
  revoke(appId: string, opts?: RevokeRequest): Promise<{ appId: string; push: PushRecord }>;
  reauthorize(appId: string, opts?: ReauthorizeRequest): Promise<AuthorizeResult>;
  expireTokens(req: ExpireTokensRequest): number;
  addFault(fault: FaultInput): Fault;
  faults(): Fault[];
  clearFaults(): void;
  setQuota(req: QuotaRequest): void;
  updateSettings(req: SettingsRequest): SimSettings;
  /** Moves the simulated clock forward (on top of any injected `now`). */
  advanceClock(ms: number): void;
  /** The PC authorization page URL for a pre-auth code, as the gateway should build it. */
  authorizationPageUrl(params: { preAuthCode: string; redirectUri: string; authType?: number; bizAppId?: string }): string;
}

function buildApp(sim: SimCore, control: Control, baseUrl: () => string) {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use('/__sim', controlRouter(sim, control));
  app.use(authorizationPageRouter(sim, baseUrl));
  app.use(webOAuthPageRouter(sim, baseUrl));
  // Raw body for every API: the pipeline decides what is JSON (47001 otherwise), as WeChat does.
  const api = createApiHandler(sim, [
    ...componentRoutes(),
    ...blacklistRoutes(),
    ...quotaRoutes(),
    ...officialAccountRoutes(),
    ...mediaRoutes(),
    ...messageRoutes(),
    ...webOAuthRoutes().filter((r) => !r.name.startsWith('sns/')),
  ]);
  app.use('/cgi-bin', express.raw({ type: () => true, limit: '10mb' }), api);
  const sns = createApiHandler(
    sim,
    webOAuthRoutes().filter((r) => r.name.startsWith('sns/')),
    'sns/',
  );
  app.use('/sns', express.raw({ type: () => true, limit: '1mb' }), sns);
  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: 'not_found', message: `no route ${req.method} ${req.path}` });
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err as { status?: number; type?: string; message?: string; stack?: string };
    if (e?.status && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ error: 'bad_request', message: e.message });
      return;
    }
    sim.log({ msg: 'unhandled error', path: req.path, error: String(e?.stack ?? err) });
    res.status(500).json({ error: 'simulator_internal_error', message: String(e?.message ?? err) });
  });
  return app;
}

/** Starts an in-memory WeChat (component + Official Account blacklist APIs) on HTTP. */
export async function startWeChatSimulator(options: SimulatorOptions): Promise<WeChatSimulator> {
  const opts = resolveOptions(options);
  const sim = new SimCore(opts);
  const control = createControl(sim);
  const { authorizers, faultsQuotas, settings, messages } = control;
  let url = '';
  const baseUrl = () => opts.publicBaseUrl ?? url;
  const server: Server = createServer(buildApp(sim, control, baseUrl));
  // A stalled client must not keep close() waiting.
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;
  sim.log({ msg: 'wechat simulator listening', url, componentAppId: opts.componentAppId });

  const pushTicket = async () => {
    const record = await sim.pushTicket();
    if (!record.acknowledged) {
      throw new Error(
        `ticket push not acknowledged: ${record.error ?? `HTTP ${record.httpStatus} ${JSON.stringify(record.reply)}`}`,
      );
    }
  };
  const backgroundTicket = () => {
    if (!sim.state.settings.eventUrl) return;
    pushTicket().catch((err) => sim.log({ msg: 'ticket push failed', error: String(err.message ?? err) }));
  };
  const timer = setInterval(backgroundTicket, opts.ticketIntervalMs);
  timer.unref();
  if (opts.pushTicketOnStart) setImmediate(backgroundTicket);

  let closed: Promise<void> | undefined;
  return {
    url,
    options: opts,
    setEventUrl: (eventUrl) => void settings.setEventUrl({ url: eventUrl }),
    setMessageUrl: (messageUrl) => void settings.setMessageUrl({ url: messageUrl }),
    sendMessage: (appId, req) => messages.sendMessage(appId, req),
    goLiveCheck: (req = {}) => runGoLiveCheck(sim, messages, req),
    customMessages: () => sim.state.customMessages.map((m) => ({ ...m })),
    jsTickets: (appId, type = 'jsapi') => [...(sim.state.jsTickets.get(`${appId}|${type}`) ?? [])],
    pushTicket,
    calls: (filter) => sim.callLog.list(filter),
    clearCalls: () => sim.callLog.clear(),
    pushes: () => sim.pusher.list(),
    clearPushes: () => sim.pusher.clear(),
    releaseHeldPushes: () => sim.pusher.releaseHeld(),
    reset: () => sim.reset(),
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        clearInterval(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      })),
    createAuthorizer: (req = {}) => authorizers.createAuthorizer(req),
    getAuthorizer: (appId) => authorizers.getAuthorizer(appId),
    listAuthorizers: () => authorizers.listAuthorizers(true),
    updateAuthorizer: (appId, req) => authorizers.updateAuthorizer(appId, req),
    setNextAuthorization: (req = {}) => authorizers.setNextAuthorization(req),
    clearNextAuthorization: () => authorizers.clearNextAuthorization(),
    revoke: (appId, o = {}) => authorizers.revoke(appId, o),
    reauthorize: (appId, o = {}) => authorizers.reauthorize(appId, o),
    expireTokens: (req) => authorizers.expireTokens(req).expired,
    addFault: (fault) => faultsQuotas.addFault(fault),
    faults: () => sim.faults.list(),
    clearFaults: () => sim.faults.clear(),
    setQuota: (req) => void faultsQuotas.setQuota(req),
    updateSettings: (req) => settings.updateSettings(req),
    advanceClock: (ms) => void settings.advanceClock({ ms }),
    authorizationPageUrl: ({ preAuthCode, redirectUri, authType = 3, bizAppId }) => {
      const q = new URLSearchParams({
        component_appid: opts.componentAppId,
        pre_auth_code: preAuthCode,
        redirect_uri: redirectUri,
        auth_type: String(authType),
        ...(bizAppId ? { biz_appid: bizAppId } : {}),
      });
      return `${baseUrl()}/cgi-bin/componentloginpage?${q}`;
    },
  };
}
