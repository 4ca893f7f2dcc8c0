import express, { type Request, type Response, Router } from 'express';
import { DEFAULT_GRANTED_SETS, PERMISSION_SETS } from '../api-names';
import type { SimCore } from '../core';
import type { AuthorizationPushMode } from '../options';
import { DEFAULT_PAGE_FOLLOWERS, MAX_PAGE_FOLLOWERS, authorizationPage, errorPage } from './html';

const PUSH_MODES: AuthorizationPushMode[] = ['before', 'after', 'hold', 'none'];
const KNOWN_SETS = new Set(PERMISSION_SETS.map((s) => s.id));
export const CONFIRM_PATH = '/cgi-bin/componentloginpage/confirm';

interface LinkParams {
  componentAppId: string;
  preAuthCode: string;
  redirectUri: string;
  authType: string;
  bizAppId?: string;
}

class PageError extends Error {}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Appends auth_code/expires_in, keeping any query string and fragment the redirect_uri already has. */
export function appendToRedirect(uri: string, params: Record<string, string | number>): string {
  const hashAt = uri.indexOf('#');
  const base = hashAt >= 0 ? uri.slice(0, hashAt) : uri;
  const hash = hashAt >= 0 ? uri.slice(hashAt) : '';
  const qs = Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  const sep = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${sep}${qs}${hash}`;
}

/** The checks WeChat makes before showing the page: our component, a live pre-auth code, a usable redirect. */
function readLinkParams(sim: SimCore, q: Record<string, unknown>): LinkParams {
  const componentAppId = str(q.component_appid);
  if (componentAppId !== sim.opts.componentAppId) throw new PageError('component_appid is missing or unknown.');
  const preAuthCode = str(q.pre_auth_code);
  const { status } = sim.state.preAuthCodes.peek(preAuthCode);
  if (status !== 'valid') throw new PageError(`pre_auth_code is ${status}.`);
  const redirectUri = str(q.redirect_uri);
  let parsed: URL | undefined;
  try {
    parsed = redirectUri ? new URL(redirectUri) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new PageError('redirect_uri must be an absolute http(s) URL.');
  }
  const authType = str(q.auth_type) ?? '3';
  if (authType === '2') throw new PageError('auth_type=2 (Mini Programs only): the simulator models Official Accounts only.');
  if (authType !== '1' && authType !== '3') throw new PageError('auth_type must be 1, 2 or 3.');
  return { componentAppId, preAuthCode: preAuthCode!, redirectUri: redirectUri!, authType, bizAppId: str(q.biz_appid) };
}

/** WeChat refuses the page unless the link came from the platform's registered initiation domain. */
function checkReferer(sim: SimCore, req: Request): void {
  const domains = sim.opts.authInitiationDomains;
  if (!domains?.length) return;
  let host: string | undefined;
  try {
    host = new URL(req.get('referer') ?? '').hostname;
  } catch {
    host = undefined;
  }
  if (!host || !domains.includes(host)) {
    throw new PageError("The link must be opened from the platform's authorization initiation domain (Referer check failed).");
  }
}

function parseSets(raw: unknown): number[] {
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const sets = values.map((v) => Number(v));
  if (sets.some((s) => !Number.isInteger(s) || !KNOWN_SETS.has(s))) throw new PageError('Unknown permission set.');
  return sets;
}

/**
 * Completes an authorization: consumes the pre-auth code, grants, then redirects to
 * redirect_uri with auth_code and expires_in, pushing the event before/after/never as asked.
 */
async function complete(
  sim: SimCore,
  res: Response,
  link: LinkParams,
  appId: string,
  sets: number[],
  push: AuthorizationPushMode,
  pushDelayMs: number,
): Promise<void> {
  if (link.bizAppId && link.bizAppId !== appId) throw new PageError(`This link only allows ${link.bizAppId} to authorize.`);
  if (sim.state.preAuthCodes.consume(link.preAuthCode).status !== 'valid')
    throw new PageError('pre_auth_code is used or expired.');
  const grant = sim.state.grantAuthorization(appId, sets, link.preAuthCode);
  const location = appendToRedirect(link.redirectUri, { auth_code: grant.authCode, expires_in: grant.expiresIn });
  sim.log({ msg: 'authorization completed', appId, infoType: grant.event.infoType, push });
  await sim.pushAroundRedirect(grant.event, push, pushDelayMs, (onFinished) => {
    res.on('finish', onFinished);
    res.redirect(302, location);
  });
}

function sendError(res: Response, err: unknown): void {
  if (!(err instanceof PageError)) throw err;
  res.status(400).type('html').send(errorPage(err.message));
}

/** GET /cgi-bin/componentloginpage (PC), GET /wxaopen/safe/bindcomponent (mobile), POST …/confirm. */
export function authorizationPageRouter(sim: SimCore, baseUrl: () => string): Router {
  const router = Router();

  const show = async (req: Request, res: Response) => {
    try {
      checkReferer(sim, req);
      const link = readLinkParams(sim, req.query);
      const next = sim.state.nextAuthorization;
      if (next) {
        // Pre-selected by the control API: no human, the page completes at once.
        sim.state.nextAuthorization = undefined;
        const account = sim.state.authorizers.get(next.appId)!;
        const sets = next.permissionSets ?? account.defaultPermissionSets;
        try {
          await complete(
            sim,
            res,
            link,
            next.appId,
            sets,
            next.push ?? sim.state.settings.authorizationPush,
            next.pushDelayMs ?? 0,
          );
        } catch (err) {
          sim.state.nextAuthorization = next;
          throw err;
        }
        return;
      }
      const accounts = sim.state.authorizers.list().filter((a) => !link.bizAppId || a.appId === link.bizAppId);
      res
        .status(200)
        .type('html')
        .send(
          authorizationPage({
            action: `${baseUrl()}${CONFIRM_PATH}`,
            componentAppId: link.componentAppId,
            hidden: {
              component_appid: link.componentAppId,
              pre_auth_code: link.preAuthCode,
              redirect_uri: link.redirectUri,
              auth_type: link.authType,
              ...(link.bizAppId ? { biz_appid: link.bizAppId } : {}),
            },
            accounts,
            bizAppId: link.bizAppId,
            defaultSets: accounts[0]?.defaultPermissionSets ?? DEFAULT_GRANTED_SETS,
            defaultPush: sim.state.settings.authorizationPush,
          }),
        );
    } catch (err) {
      sendError(res, err);
    }
  };

  router.get('/cgi-bin/componentloginpage', show);
  router.get('/wxaopen/safe/bindcomponent', (req, res) => {
    if (req.query.action !== 'bindcomponent') return sendError(res, new PageError('action must be bindcomponent.'));
    return show(req, res);
  });

  router.post(CONFIRM_PATH, express.urlencoded({ extended: false }), express.json(), async (req, res) => {
    try {
      const form = (req.body ?? {}) as Record<string, unknown>;
      const link = readLinkParams(sim, form);
      const push = (str(form.push) ?? sim.state.settings.authorizationPush) as AuthorizationPushMode;
      if (!PUSH_MODES.includes(push)) throw new PageError('push must be before, after, hold or none.');
      const sets = parseSets(form.perm);
      let appId = str(form.account);
      if (!appId) throw new PageError('Pick an Official Account.');
      if (appId === '__new__') {
        const newAppId = str(form.new_app_id) ?? link.bizAppId;
        if (link.bizAppId && newAppId !== link.bizAppId)
          throw new PageError(`This link only allows ${link.bizAppId} to authorize.`);
        if (newAppId && sim.state.authorizers.has(newAppId)) throw new PageError(`${newAppId} already exists.`);
        const serviceType = Number(form.service_type ?? 2);
        if (![0, 1, 2].includes(serviceType)) throw new PageError('service_type must be 0, 1 or 2.');
        const followerCount = str(form.follower_count) === undefined ? DEFAULT_PAGE_FOLLOWERS : Number(form.follower_count);
        if (!Number.isInteger(followerCount) || followerCount < 0 || followerCount > MAX_PAGE_FOLLOWERS)
          throw new PageError(`follower_count must be a whole number from 0 to ${MAX_PAGE_FOLLOWERS}.`);
        appId = sim.state.authorizers.create({
          appId: newAppId,
          nickName: str(form.nick_name),
          principalName: str(form.principal_name),
          serviceType,
          verifyType: form.verified === '1' || form.verified === true ? 0 : -1,
          permissionSets: sets,
          followerCount,
        }).appId;
      } else if (!sim.state.authorizers.has(appId)) {
        throw new PageError(`Unknown Official Account ${appId}.`);
      }
      await complete(sim, res, link, appId, sets, push, 0);
    } catch (err) {
      sendError(res, err);
    }
  });

  return router;
}
