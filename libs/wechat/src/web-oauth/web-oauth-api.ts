import { WeChatRequestError } from '../errors/api-errors';
import type { WeChatHttp } from '../http/wechat-http';
import type { WeChatApiName } from '../types';
import type { SnsComponentAccessTokenResponse, SnsUserInfoResponse } from './types';

/**
 * Web authorization on behalf of an Official Account (contract section 9). The code exchange
 * takes the **component** token, never the authorizer's. A code is single use, so the exchange
 * is never sent twice (a lost answer would only earn 40163 on the second try); reading the
 * profile is a read and may be.
 */
export class WebOAuthApi {
  constructor(private readonly http: WeChatHttp) {}

  /** `GET sns/oauth2/component/access_token`, parameters in the documented order. */
  componentAccessToken(
    componentAccessToken: string,
    req: { appId: string; code: string; componentAppId: string },
  ): Promise<SnsComponentAccessTokenResponse> {
    required('sns_component_access_token', { componentAccessToken, ...req });
    return this.http.get('sns_component_access_token', '/sns/oauth2/component/access_token', {
      appid: req.appId,
      code: req.code,
      grant_type: 'authorization_code',
      component_appid: req.componentAppId,
      component_access_token: componentAccessToken,
    });
  }

  /** `GET sns/oauth2/component/refresh_token`: a new user token from the 30-day refresh token. */
  componentRefreshToken(
    componentAccessToken: string,
    req: { appId: string; componentAppId: string; refreshToken: string },
  ): Promise<SnsComponentAccessTokenResponse> {
    required('sns_component_refresh_token', { componentAccessToken, ...req });
    return this.http.get(
      'sns_component_refresh_token',
      '/sns/oauth2/component/refresh_token',
      {
        appid: req.appId,
        grant_type: 'refresh_token',
        component_appid: req.componentAppId,
        component_access_token: componentAccessToken,
        refresh_token: req.refreshToken,
      },
      { idempotent: true },
    );
  }

  /** `GET sns/userinfo` with the follower's token (scope snsapi_userinfo). */
  userInfo(userAccessToken: string, openid: string, lang = 'zh_CN'): Promise<SnsUserInfoResponse> {
    required('sns_userinfo', { userAccessToken, openid });
    return this.http.get('sns_userinfo', '/sns/userinfo', { access_token: userAccessToken, openid, lang }, { idempotent: true });
  }
}

function required(api: WeChatApiName, fields: Record<string, string>): void {
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value !== 'string' || value === '') throw new WeChatRequestError(`${api}: ${name} is required`, api);
  }
}
