/** Every WeChat API the simulator serves, named by its path under /cgi-bin/ (as WeChat's `cgi_path` does). */
export const API_NAMES = [
  'component/api_component_token',
  'component/api_create_preauthcode',
  'component/api_query_auth',
  'component/api_authorizer_token',
  'component/api_get_authorizer_info',
  'component/api_get_authorizer_list',
  'component/api_start_push_ticket',
  'component/clear_quota',
  'clear_quota',
  'openapi/quota/get',
  'tags/members/getblacklist',
  'tags/members/batchblacklist',
  'tags/members/batchunblacklist',
  'message/custom/send',
  'user/info',
  'user/get',
  'menu/create',
  'menu/get',
  'media/upload',
  'ticket/getticket',
  // Web authorization on behalf of an account: under /sns/, not /cgi-bin/.
  'sns/oauth2/component/access_token',
  'sns/oauth2/component/refresh_token',
  'sns/userinfo',
] as const;

export type ApiName = (typeof API_NAMES)[number];

export function isApiName(value: unknown): value is ApiName {
  return typeof value === 'string' && (API_NAMES as readonly string[]).includes(value);
}

/** Accepts `tags/members/getblacklist`, `/cgi-bin/tags/members/getblacklist` and the like. */
export function normalizeApiName(value: string): string {
  return value.replace(/^\/+/, '').replace(/^cgi-bin\//, '');
}

/**
 * Official Account permission sets (func_info ids) the authorization page offers. Data, not
 * logic: which API needs which set lives in the route table.
 */
export const PERMISSION_SETS: ReadonlyArray<{ id: number; name: string }> = [
  { id: 1, name: 'Message management' },
  { id: 2, name: 'User management' },
  { id: 3, name: 'Account service' },
  { id: 4, name: 'Web service' },
  { id: 7, name: 'Mass send and notifications' },
  { id: 11, name: 'Material (media) management' },
  { id: 15, name: 'Custom menus' },
  { id: 24, name: 'Open platform account management' },
  { id: 54, name: 'Service-account conversations' },
  { id: 89, name: 'Subscription notifications' },
  { id: 100, name: 'User management (alternate set, listed by the blacklist APIs)' },
];

export const DEFAULT_GRANTED_SETS = [1, 2, 15];
