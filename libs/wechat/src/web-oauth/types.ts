// Replies of the web-authorization APIs (contract section 9), in WeChat's own snake_case.

export type WebOAuthScope = 'snsapi_base' | 'snsapi_userinfo';

/** sns/oauth2/component/access_token and …/refresh_token. The tokens are the follower's: never store or log them. */
export interface SnsComponentAccessTokenResponse {
  access_token: string;
  expires_in: number;
  refresh_token: string;
  openid: string;
  scope: string;
  /** Only when the account is bound to an open-platform account. */
  unionid?: string;
}

/** sns/userinfo (scope snsapi_userinfo only). */
export interface SnsUserInfoResponse {
  openid: string;
  nickname: string;
  /** 1 male, 2 female, 0 unknown. */
  sex: number;
  province: string;
  city: string;
  country: string;
  headimgurl: string;
  privilege: string[];
  unionid?: string;
}
