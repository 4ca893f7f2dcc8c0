import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { normalizeApiName } from '../api-names';
import { maskDeep } from '../call-log';
import type { SimCore } from '../core';
import { WeChatApiError, wxErrorBody } from '../errors';
import type { ApiCall, ApiRoute } from './route';

type Parsed = { kind: 'ok'; body: Record<string, unknown> } | { kind: 'empty' } | { kind: 'invalid' };

/** WeChat reads the body as JSON whatever the content type says. */
function parseBody(raw: unknown): Parsed {
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : '';
  if (text.trim() === '') return { kind: 'empty' };
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? { kind: 'ok', body: value } : { kind: 'invalid' };
  } catch {
    return { kind: 'invalid' };
  }
}

interface Outcome {
  status: number | null;
  errcode: number | null;
  fault?: string;
}

/**
 * One pipeline for every /cgi-bin API, in WeChat's order of checks:
 * faults → token (41001/40001/42001) → quota (45009/45011) → body (44002/47001) →
 * permission set (61007) → verification (48001) → the API itself. Every call is logged.
 */
export function createApiHandler(sim: SimCore, routes: ApiRoute[], prefix = '') {
  const byName = new Map(routes.map((r) => [r.name as string, r]));

  return async (req: Request, res: Response): Promise<void> => {
    await sim.throttle.acquire();
    const started = Date.now();
    const at = sim.clock.now();
    const api = prefix + normalizeApiName(req.path);
    const route = byName.get(api);
    const parsed = parseBody(req.body);
    const query = Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
    let appId: string | undefined;

    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const finish = (outcome: Outcome) => {
      sim.callLog.record({
        bodySha256: raw.length > 0 ? createHash('sha256').update(raw).digest('hex') : undefined,
        contentType: req.headers['content-type'],
        at,
        api: route ? route.name : `unknown:${req.path}`,
        method: req.method,
        path: req.baseUrl + req.path,
        query: maskDeep(query) as Record<string, unknown>,
        body:
          parsed.kind === 'ok'
            ? maskDeep(parsed.body)
            : parsed.kind === 'empty'
              ? null
              : { unparsed: `${(req.body as Buffer)?.length ?? 0} bytes` },
        appId,
        errcode: outcome.errcode,
        httpStatus: outcome.status,
        fault: outcome.fault,
        durationMs: Date.now() - started,
      });
    };
    const reply = (body: Record<string, unknown>, fault?: string) => {
      res.status(200).json(body);
      finish({ status: 200, errcode: typeof body.errcode === 'number' ? body.errcode : 0, fault });
    };

    if (!route) {
      res.status(404).json({ error: 'not_found', message: `no WeChat API at ${req.baseUrl}${req.path}` });
      finish({ status: 404, errcode: null });
      return;
    }
    const methods = route.methods ?? ['POST'];
    if (!methods.includes(req.method as 'GET' | 'POST')) return reply(wxErrorBody(methods.includes('POST') ? 43002 : 43001));
    const bodyKind = route.body ?? 'json';

    const body = parsed.kind === 'ok' ? parsed.body : {};
    const rawToken = route.auth ? query[route.auth.param] : undefined;
    const token = typeof rawToken === 'string' ? sim.state.tokens.lookup(rawToken) : undefined;
    // The authorizer a component call acts for beats the token's owner (the component) in the log.
    appId = route.accountFromBody?.(body, sim, query) ?? token?.appId ?? sim.opts.componentAppId;

    const decision = sim.faults.decide(route.name, appId);
    const faultTag = decision.fired.map((f) => `${f.type}#${f.id}`).join(',') || undefined;
    if (decision.delayMs > 0) await new Promise((r) => setTimeout(r, decision.delayMs));
    const terminal = decision.terminal;
    if (terminal?.type === 'errcode') return reply(wxErrorBody(terminal.errcode ?? -1), faultTag);
    if (terminal?.type === 'http500') {
      res.status(500).type('html').send('<html><body><h1>500 Internal Server Error</h1></body></html>');
      return finish({ status: 500, errcode: null, fault: faultTag });
    }
    if (terminal?.type === 'drop') {
      // The client sees a reset connection and no response at all.
      req.socket.destroy();
      return finish({ status: null, errcode: null, fault: faultTag });
    }

    try {
      const call: ApiCall = { sim, body, query, raw, contentType: req.headers['content-type'] };
      if (route.auth) {
        if (typeof rawToken !== 'string' || rawToken === '') throw new WeChatApiError(41001);
        const record = sim.state.tokens.lookup(rawToken);
        // A token of the wrong kind (component token as access_token, or vice versa) is just invalid.
        if (!record || !route.auth.kinds.includes(record.kind)) throw new WeChatApiError(40001);
        const check = sim.state.tokens.check(rawToken, record.kind);
        if (!check.ok) throw new WeChatApiError(check.errcode);
        call.token = check.record;
        if (check.record.kind === 'authorizer') {
          call.authorizer = sim.state.authorizers.get(check.record.appId);
          // A revoked account's tokens stop working at once, as "invalid", not "expired".
          if (call.authorizer?.authorization.status !== 'authorized') throw new WeChatApiError(40001, 'authorization revoked');
        }
      }
      const account = call.token?.appId ?? sim.opts.componentAppId;
      const quota = sim.quotas.take(account, route.name);
      if (quota) throw new WeChatApiError(quota);
      if (bodyKind === 'json' && parsed.kind === 'empty') throw new WeChatApiError(44002);
      if (bodyKind === 'json' && parsed.kind === 'invalid') throw new WeChatApiError(47001);
      if (call.authorizer && route.permissionSets) {
        const granted = call.authorizer.authorization.permissionSets;
        if (!route.permissionSets.some((s) => granted.includes(s))) throw new WeChatApiError(61007);
      }
      if (call.authorizer && route.verifiedOnly && call.authorizer.verifyType === -1) throw new WeChatApiError(48001);
      const result = (await route.handle(call)) as Record<string, unknown>;
      reply(result, faultTag);
    } catch (err) {
      if (!(err instanceof WeChatApiError)) {
        // A simulator bug: say so loudly rather than pass it off as a WeChat error.
        sim.log({ msg: 'simulator internal error', api: route.name, error: String(err?.stack ?? err) });
        res.status(500).json({ error: 'simulator_internal_error', message: String(err?.message ?? err) });
        return finish({ status: 500, errcode: null, fault: faultTag });
      }
      sim.log({ msg: 'api error', api: route.name, errcode: err.errcode, detail: err.detail });
      reply(wxErrorBody(err.errcode), faultTag);
    }
  };
}
