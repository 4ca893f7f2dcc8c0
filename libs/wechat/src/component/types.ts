// Request and reply shapes of the third-party platform ("component") APIs,
// in WeChat's own snake_case so they can be sent and read as-is.

export interface FuncInfo {
  funcscope_category: { id: number };
}

export interface ApiComponentTokenRequest {
  component_appid: string;
  component_appsecret: string;
  component_verify_ticket: string;
}
export interface ApiComponentTokenResponse {
  component_access_token: string;
  /** Seconds; take WeChat's value rather than assuming 7200. */
  expires_in: number;
}

export interface ApiCreatePreauthcodeRequest {
  component_appid: string;
}
export interface ApiCreatePreauthcodeResponse {
  pre_auth_code: string;
  expires_in: number;
}

export interface ApiQueryAuthRequest {
  component_appid: string;
  authorization_code: string;
}
export interface ApiQueryAuthResponse {
  authorization_info: {
    authorizer_appid: string;
    authorizer_access_token: string;
    expires_in: number;
    authorizer_refresh_token: string;
    func_info: FuncInfo[];
  };
}

export interface ApiAuthorizerTokenRequest {
  component_appid: string;
  authorizer_appid: string;
  authorizer_refresh_token: string;
}
export interface ApiAuthorizerTokenResponse {
  authorizer_access_token: string;
  expires_in: number;
  /** Always persist it: it may or may not have changed. */
  authorizer_refresh_token: string;
}

export interface ApiGetAuthorizerInfoRequest {
  component_appid: string;
  authorizer_appid: string;
}
export interface AuthorizerInfo {
  nick_name: string;
  head_img?: string;
  /** 0/1 subscription account, 2 service account. */
  service_type_info: { id: number };
  /** -1 not verified (the blacklist APIs need a verified account). */
  verify_type_info: { id: number };
  /** The original id, gh_... */
  user_name: string;
  principal_name: string;
  alias?: string;
  qrcode_url?: string;
  signature?: string;
  business_info?: Record<string, number>;
}
export interface ApiGetAuthorizerInfoResponse {
  authorizer_info: AuthorizerInfo;
  authorization_info: {
    authorizer_appid: string;
    authorizer_refresh_token?: string;
    func_info: FuncInfo[];
  };
}

export interface ApiGetAuthorizerListRequest {
  component_appid: string;
  offset: number;
  /** At most 500. */
  count: number;
}
export interface AuthorizerListItem {
  authorizer_appid: string;
  refresh_token: string;
  /** Unix seconds. */
  auth_time: number;
}
export interface ApiGetAuthorizerListResponse {
  total_count: number;
  list: AuthorizerListItem[];
}

export interface ApiStartPushTicketRequest {
  component_appid: string;
  component_secret: string;
}
export interface ApiStartPushTicketResponse {
  errcode: number;
  errmsg: string;
}
