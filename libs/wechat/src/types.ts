/** Every WeChat endpoint this library calls; used for errors, metrics and retries. */
export type WeChatApiName =
  | 'api_component_token'
  | 'api_create_preauthcode'
  | 'api_query_auth'
  | 'api_authorizer_token'
  | 'api_get_authorizer_info'
  | 'api_get_authorizer_list'
  | 'api_start_push_ticket'
  | 'getblacklist'
  | 'batchblacklist'
  | 'batchunblacklist'
  | 'message_custom_send'
  | 'sns_component_access_token'
  | 'sns_component_refresh_token'
  | 'sns_userinfo'
  | 'getticket';

/** What a call is made to: a typed API, or the path of a proxied call (`cgi-bin/user/info`). */
export type WeChatCallTarget = WeChatApiName | `${string}/${string}`;
