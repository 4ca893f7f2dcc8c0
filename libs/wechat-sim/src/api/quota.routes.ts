import { isApiName, normalizeApiName } from '../api-names';
import { WeChatApiError } from '../errors';
import { stringField, type ApiRoute } from './route';

/** Quota APIs an account calls with its own token (an authorizer's, or the component's for quota/get). */
export function quotaRoutes(): ApiRoute[] {
  return [
    {
      name: 'clear_quota',
      auth: { param: 'access_token', kinds: ['authorizer'] },
      handle(call) {
        const appId = stringField(call.body, 'appid');
        if (!appId) throw new WeChatApiError(41002);
        if (appId !== call.token!.appId) throw new WeChatApiError(40013, 'appid does not match access_token');
        call.sim.quotas.clear(appId);
        return { errcode: 0, errmsg: 'ok' };
      },
    },
    {
      name: 'openapi/quota/get',
      auth: { param: 'access_token', kinds: ['authorizer', 'component'] },
      handle(call) {
        const path = stringField(call.body, 'cgi_path');
        const api = path ? normalizeApiName(path) : '';
        if (!path || !path.startsWith('/cgi-bin/') || !isApiName(api)) throw new WeChatApiError(76021);
        return { errcode: 0, errmsg: 'ok', quota: call.sim.quotas.usage(call.token!.appId, api) };
      },
    },
  ];
}
