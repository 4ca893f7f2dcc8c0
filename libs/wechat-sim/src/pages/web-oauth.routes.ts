import express, { type Request, type Response, Router } from 'express';
import type { AuthorizerAccount } from '../authorizers';
import type { SimCore } from '../core';
import type { WebOAuthGrant } from '../state';
import { appendToRedirect } from './authorization.routes';
import { webOAuthErrorPage, webOAuthPage } from './html';

export const WEB_OAUTH_PATH = '/connect/oauth2/authorize';
export const WEB_OAUTH_CONFIRM_PATH = '/connect/oauth2/authorize/confirm';
/** A web-authorization code lives about 5 minutes (contract section 9). */
const OAUTH_CODE_TTL_SEC = 300;
/** The page lists this many followers; any other openid of the account may be typed in. */
const LISTED_FOLLOWERS = 20;

/** WeChat's own page-level error: a code and a message, shown on its page (it never redirects). */
class OAuthPageError extends Error {
  constructor(
    readonly errcode: number,
    message: string,
  ) {
    super(message);
  }
}

interface OAuthLink {
  account: AuthorizerAccount;
  redirectUri: string;
  scope: WebOAuthGrant['scope'];
  state: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The checks WeChat makes before showing its page (contract section 9: 10003, 10005, 10010–10013, 10015). */
function readLink(sim: SimCore, q: Record<string, unknown>): OAuthLink {
  const scope = str(q.scope);
  if (!scope) throw new OAuthPageError(10010, 'scope is empty.');
  const redirectUri = str(q.redirect_uri);
  if (!redirectUri) throw new OAuthPageError(10011, 'redirect_uri is empty.');
  const appId = str(q.appid);
  if (!appId) throw new OAuthPageError(10012, 'appid is empty.');
  const state = typeof q.state === 'string' ? q.state : '';
  if (!state) throw new OAuthPageError(10013, 'state is empty.');
  if (Buffer.byteLength(state) > 128) throw new OAuthPageError(10013, 'state is longer than 128 bytes.');
  if (q.response_type !== 'code') throw new OAuthPageError(10004, 'response_type must be code.');
  if (str(q.component_appid) !== sim.opts.componentAppId)
    throw new OAuthPageError(10016, 'component_appid is missing or unknown.');
  let host: string | undefined;
  try {
    const url = new URL(redirectUri);
    host = url.protocol === 'http:' || url.protocol === 'https:' ? url.hostname : undefined;
  } catch {
    host = undefined;
  }
  const domains = sim.opts.webOAuthDomains;
  if (!host || (domains?.length && !domains.includes(host))) {
    throw new OAuthPageError(10003, 'redirect_uri is not under the domain configured for the platform.');
  }
  const account = sim.state.authorizers.get(appId);
  if (!account || account.authorization.status !== 'authorized') {
    throw new OAuthPageError(10015, 'The Official Account has not authorized the platform.');
  }
  if (scope !== 'snsapi_base' && scope !== 'snsapi_userinfo') throw new OAuthPageError(10005, 'Unknown scope.');
  // snsapi_userinfo is for verified service accounts only.
  if (scope === 'snsapi_userinfo' && (account.serviceType !== 2 || account.verifyType === -1)) {
    throw new OAuthPageError(10005, 'The Official Account may not use scope snsapi_userinfo.');
  }
  return { account, redirectUri, scope, state };
}

function sendError(res: Response, err: unknown): void {
  if (!(err instanceof OAuthPageError)) throw err;
  res.status(400).type('html').send(webOAuthErrorPage(err.errcode, err.message));
}

/**
 * WeChat's web-authorization page inside the WeChat browser: a tester picks one of the account's
 * followers and allows (redirect with `code`, `state`, `appid`) or refuses (redirect with `state`
 * only). Errors are a page (HTTP 400, `#sim-oauth-error` with WeChat's code): WeChat never
 * redirects them.
 */
export function webOAuthPageRouter(sim: SimCore, baseUrl: () => string): Router {
  const router = Router();

  router.get(WEB_OAUTH_PATH, (req: Request, res: Response) => {
    try {
      const link = readLink(sim, req.query);
      res
        .status(200)
        .type('html')
        .send(
          webOAuthPage({
            action: `${baseUrl()}${WEB_OAUTH_CONFIRM_PATH}`,
            hidden: {
              appid: link.account.appId,
              redirect_uri: link.redirectUri,
              response_type: 'code',
              scope: link.scope,
              state: link.state,
              component_appid: sim.opts.componentAppId,
            },
            accountName: link.account.nickName,
            scope: link.scope,
            followers: [...link.account.followers].slice(0, LISTED_FOLLOWERS),
          }),
        );
    } catch (err) {
      sendError(res, err);
    }
  });

  router.post(WEB_OAUTH_CONFIRM_PATH, express.urlencoded({ extended: false }), express.json(), (req, res) => {
    try {
      const form = (req.body ?? {}) as Record<string, unknown>;
      const link = readLink(sim, form);
      if (form.decision === 'refuse') {
        res.redirect(302, appendToRedirect(link.redirectUri, { state: link.state }));
        return;
      }
      const openid = str(form.openid_other) ?? str(form.openid);
      if (!openid || !sim.state.authorizers.knowsOpenId(link.account, openid)) {
        throw new OAuthPageError(10017, 'Pick a follower of the Official Account.');
      }
      const code = sim.state.oauthCodes.issue(OAUTH_CODE_TTL_SEC, { appId: link.account.appId, openid, scope: link.scope });
      sim.log({ msg: 'web authorization allowed', appId: link.account.appId, scope: link.scope });
      res.redirect(302, appendToRedirect(link.redirectUri, { code: code.value, state: link.state, appid: link.account.appId }));
    } catch (err) {
      sendError(res, err);
    }
  });

  return router;
}
