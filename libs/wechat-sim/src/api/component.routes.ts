import { WeChatApiError } from '../errors';
import { newRefreshToken } from '../ids';
import { requireComponentAppId, stringField, type ApiCall, type ApiRoute } from './route';

const COMPONENT_TOKEN = { param: 'component_access_token', kinds: ['component'] } as const;
const byAuthorizerAppId = (body: Record<string, unknown>) => stringField(body, 'authorizer_appid');

/** An authorizer this component currently holds: unknown appid 40013, not (or no longer) authorized 61003. */
function authorizedAccount(call: ApiCall, appId: string | undefined) {
  if (!appId) throw new WeChatApiError(41002, 'authorizer_appid missing');
  const account = call.sim.state.authorizers.get(appId);
  if (!account) throw new WeChatApiError(40013, 'unknown authorizer_appid');
  if (account.authorization.status !== 'authorized') throw new WeChatApiError(61003);
  return account;
}

/** The third-party platform ("component") APIs. */
export function componentRoutes(): ApiRoute[] {
  return [
    {
      name: 'component/api_component_token',
      auth: null,
      handle(call) {
        const { sim, body } = call;
        if (!stringField(body, 'component_appid')) throw new WeChatApiError(41002);
        if (body.component_appid !== sim.opts.componentAppId) throw new WeChatApiError(40013);
        if (!stringField(body, 'component_appsecret')) throw new WeChatApiError(41004);
        if (body.component_appsecret !== sim.opts.componentAppSecret) throw new WeChatApiError(40125);
        sim.state.checkTicket(body.component_verify_ticket);
        const token = sim.state.tokens.issue(
          'component',
          sim.opts.componentAppId,
          sim.opts.componentTokenTtlSec,
          sim.opts.componentTokenGraceSec,
        );
        return { component_access_token: token.value, expires_in: sim.opts.componentTokenTtlSec };
      },
    },
    {
      name: 'component/api_create_preauthcode',
      auth: COMPONENT_TOKEN,
      handle(call) {
        requireComponentAppId(call);
        const code = call.sim.state.preAuthCodes.issue(call.sim.opts.preAuthCodeTtlSec, null);
        return { pre_auth_code: code.value, expires_in: call.sim.opts.preAuthCodeTtlSec };
      },
    },
    {
      name: 'component/api_query_auth',
      auth: COMPONENT_TOKEN,
      accountFromBody: (body, sim) => sim.state.authCodes.peek(stringField(body, 'authorization_code')).record?.data.appId,
      handle(call) {
        requireComponentAppId(call);
        const { sim } = call;
        const code = stringField(call.body, 'authorization_code');
        const peeked = sim.state.authCodes.peek(code);
        if (peeked.status === 'expired') throw new WeChatApiError(61010);
        if (peeked.status !== 'valid') throw new WeChatApiError(61009, `auth code ${peeked.status}`);
        const { appId, generation } = peeked.record!.data;
        const account = sim.state.authorizers.get(appId)!;
        // A code from before a later re-authorization or revocation no longer describes the grant.
        if (account.authorization.generation !== generation || account.authorization.status !== 'authorized') {
          throw new WeChatApiError(61009, 'auth code superseded');
        }
        sim.state.authCodes.consume(code);
        const token = sim.state.tokens.issue('authorizer', appId, sim.opts.authorizerTokenTtlSec);
        return {
          authorization_info: {
            authorizer_appid: appId,
            authorizer_access_token: token.value,
            expires_in: sim.opts.authorizerTokenTtlSec,
            authorizer_refresh_token: account.authorization.refreshToken,
            func_info: sim.state.funcInfo(account),
          },
        };
      },
    },
    {
      name: 'component/api_authorizer_token',
      auth: COMPONENT_TOKEN,
      accountFromBody: byAuthorizerAppId,
      handle(call) {
        requireComponentAppId(call);
        const { sim, body } = call;
        const account = authorizedAccount(call, stringField(body, 'authorizer_appid'));
        // Stable until re-authorization (or, rotating, until the next refresh); any other value
        // (including a superseded one) is 61023.
        if (body.authorizer_refresh_token !== account.authorization.refreshToken) throw new WeChatApiError(61023);
        if (sim.state.settings.rotateRefreshTokens) account.authorization.refreshToken = newRefreshToken();
        const token = sim.state.tokens.issue('authorizer', account.appId, sim.opts.authorizerTokenTtlSec);
        return {
          authorizer_access_token: token.value,
          expires_in: sim.opts.authorizerTokenTtlSec,
          authorizer_refresh_token: account.authorization.refreshToken,
        };
      },
    },
    {
      name: 'component/api_get_authorizer_info',
      auth: COMPONENT_TOKEN,
      accountFromBody: byAuthorizerAppId,
      handle(call) {
        requireComponentAppId(call);
        const account = authorizedAccount(call, stringField(call.body, 'authorizer_appid'));
        return {
          authorizer_info: {
            nick_name: account.nickName,
            head_img: account.headImg,
            service_type_info: { id: account.serviceType },
            verify_type_info: { id: account.verifyType },
            user_name: account.userName,
            principal_name: account.principalName,
            alias: '',
            qrcode_url: `http://mmbiz.qpic.cn/mmbiz_jpg/sim-${account.appId}/0`,
            business_info: { open_pay: 0, open_shake: 0, open_scan: 0, open_card: 0, open_store: 0 },
            idc: 1,
            signature: '',
          },
          authorization_info: {
            authorizer_appid: account.appId,
            authorizer_refresh_token: account.authorization.refreshToken,
            func_info: call.sim.state.funcInfo(account),
          },
        };
      },
    },
    {
      name: 'component/api_get_authorizer_list',
      auth: COMPONENT_TOKEN,
      handle(call) {
        requireComponentAppId(call);
        const offset = call.body.offset ?? 0;
        const count = call.body.count;
        if (!Number.isInteger(offset) || (offset as number) < 0) throw new WeChatApiError(40097, 'offset');
        if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 500)
          throw new WeChatApiError(40097, 'count must be 1..500');
        const authorized = call.sim.state.authorizers
          .list()
          .filter((a) => a.authorization.status === 'authorized')
          .sort((a, b) => a.authorization.authTime! - b.authorization.authTime! || a.appId.localeCompare(b.appId));
        return {
          total_count: authorized.length,
          list: authorized.slice(offset as number, (offset as number) + (count as number)).map((a) => ({
            authorizer_appid: a.appId,
            refresh_token: a.authorization.refreshToken,
            auth_time: a.authorization.authTime,
          })),
        };
      },
    },
    {
      name: 'component/api_start_push_ticket',
      auth: null,
      handle(call) {
        const { sim, body } = call;
        if (!stringField(body, 'component_appid')) throw new WeChatApiError(41002);
        if (body.component_appid !== sim.opts.componentAppId) throw new WeChatApiError(40013);
        if (!stringField(body, 'component_secret')) throw new WeChatApiError(41004);
        if (body.component_secret !== sim.opts.componentAppSecret) throw new WeChatApiError(40125);
        // WeChat answers first and pushes shortly after.
        setImmediate(() => void sim.pushTicket());
        return { errcode: 0, errmsg: 'ok' };
      },
    },
    {
      name: 'component/clear_quota',
      auth: COMPONENT_TOKEN,
      handle(call) {
        requireComponentAppId(call);
        call.sim.quotas.clear(call.sim.opts.componentAppId);
        return { errcode: 0, errmsg: 'ok' };
      },
    },
  ];
}
