import type { AuthorizerAccount } from '../authorizers';
import { WeChatApiError } from '../errors';
import type { WebOAuthGrant } from '../state';
import { profileOf } from '../web-oauth-profiles';
import { type ApiCall, type ApiRoute, stringField } from './route';

const COMPONENT_TOKEN = { param: 'component_access_token', kinds: ['component'] } as const;
const USER_TOKEN = { param: 'access_token', kinds: ['user'] } as const;
const USER_TOKEN_TTL_SEC = 7200;
const USER_REFRESH_TTL_SEC = 30 * 86_400;
const JS_TICKET_TTL_SEC = 7200;

/** The account a web-authorization call names (`appid`), which must still authorize our component. */
function authorizingAccount(call: ApiCall): AuthorizerAccount {
  const appId = stringField(call.query, 'appid');
  if (!appId) throw new WeChatApiError(41002, 'appid missing');
  const account = call.sim.state.authorizers.get(appId);
  if (!account) throw new WeChatApiError(40013);
  if (account.authorization.status !== 'authorized') throw new WeChatApiError(61003);
  return account;
}

function requireComponentAppIdInQuery(call: ApiCall): void {
  const value = stringField(call.query, 'component_appid');
  if (!value) throw new WeChatApiError(41002, 'component_appid missing');
  if (value !== call.sim.opts.componentAppId) throw new WeChatApiError(40013, 'component_appid mismatch');
}

/** A user token and refresh token for the follower, as both sns/oauth2/component calls answer. */
function userTokens(call: ApiCall, grant: WebOAuthGrant, refreshToken?: string) {
  const token = call.sim.state.tokens.issue('user', grant.appId, USER_TOKEN_TTL_SEC, undefined, {
    openid: grant.openid,
    scope: grant.scope,
  });
  const refresh = refreshToken ?? call.sim.state.userRefreshTokens.issue(USER_REFRESH_TTL_SEC, grant).value;
  return {
    access_token: token.value,
    expires_in: USER_TOKEN_TTL_SEC,
    refresh_token: refresh,
    openid: grant.openid,
    scope: grant.scope,
  };
}

/**
 * Web authorization on behalf of an account (contract section 9): the exchange and the refresh
 * take the component token only (an authorizer token is 40001); a code is single use and lives
 * 5 minutes (40029 unknown or expired, 40163 used); sns/userinfo needs a snsapi_userinfo token.
 */
export function webOAuthRoutes(): ApiRoute[] {
  return [
    {
      name: 'sns/oauth2/component/access_token',
      auth: COMPONENT_TOKEN,
      methods: ['GET'],
      body: 'none',
      accountFromBody: (_body, _sim, query) => stringField(query, 'appid'),
      handle(call) {
        requireComponentAppIdInQuery(call);
        if (call.query.grant_type !== 'authorization_code') throw new WeChatApiError(40097, 'grant_type');
        const account = authorizingAccount(call);
        const { status, record } = call.sim.state.oauthCodes.peek(stringField(call.query, 'code'));
        if (status === 'used') throw new WeChatApiError(40163);
        if (status !== 'valid' || record!.data.appId !== account.appId) throw new WeChatApiError(40029);
        call.sim.state.oauthCodes.consume(record!.value);
        return userTokens(call, record!.data);
      },
    },
    {
      name: 'sns/oauth2/component/refresh_token',
      auth: COMPONENT_TOKEN,
      methods: ['GET'],
      body: 'none',
      accountFromBody: (_body, _sim, query) => stringField(query, 'appid'),
      handle(call) {
        requireComponentAppIdInQuery(call);
        if (call.query.grant_type !== 'refresh_token') throw new WeChatApiError(40097, 'grant_type');
        const account = authorizingAccount(call);
        const { status, record } = call.sim.state.userRefreshTokens.peek(stringField(call.query, 'refresh_token'));
        if (status !== 'valid' || record!.data.appId !== account.appId) throw new WeChatApiError(40030);
        return userTokens(call, record!.data, record!.value);
      },
    },
    {
      name: 'sns/userinfo',
      auth: USER_TOKEN,
      methods: ['GET'],
      body: 'none',
      handle(call) {
        const token = call.token!;
        if (stringField(call.query, 'openid') !== token.openid) throw new WeChatApiError(40003);
        if (token.scope !== 'snsapi_userinfo') throw new WeChatApiError(48001, 'scope snsapi_base');
        return { openid: token.openid, ...profileOf(token.openid!) };
      },
    },
    {
      name: 'ticket/getticket',
      auth: { param: 'access_token', kinds: ['authorizer'] },
      permissionSets: [4],
      methods: ['GET'],
      body: 'none',
      handle(call) {
        const type = call.query.type;
        if (type !== 'jsapi' && type !== 'wx_card') throw new WeChatApiError(40097, 'type');
        const ticket = call.sim.state.issueJsTicket(call.authorizer!.appId, type, JS_TICKET_TTL_SEC);
        return { errcode: 0, errmsg: 'ok', ticket, expires_in: JS_TICKET_TTL_SEC };
      },
    },
  ];
}
