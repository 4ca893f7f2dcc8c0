import { WeChatRequestError } from '../errors/api-errors';
import type { WeChatHttp } from '../http/wechat-http';
import type { WeChatApiName } from '../types';
import type {
  ApiAuthorizerTokenRequest,
  ApiAuthorizerTokenResponse,
  ApiComponentTokenRequest,
  ApiComponentTokenResponse,
  ApiCreatePreauthcodeRequest,
  ApiCreatePreauthcodeResponse,
  ApiGetAuthorizerInfoRequest,
  ApiGetAuthorizerInfoResponse,
  ApiGetAuthorizerListRequest,
  ApiGetAuthorizerListResponse,
  ApiQueryAuthRequest,
  ApiQueryAuthResponse,
  ApiStartPushTicketRequest,
  ApiStartPushTicketResponse,
  FuncInfo,
} from './types';

const BASE = '/cgi-bin/component';

// Component calls have always been resent after -1/5xx/timeouts: a lost answer at worst costs a
// fresh token or code (a consumed auth code then fails with 61009/61010 and onboarding says so).
const RESENDABLE = { idempotent: true } as const;

/**
 * Third-party platform ("component") APIs. Stateless: tokens are passed in
 * explicitly, caching and refreshing them is the caller's business.
 */
export class ComponentApi {
  constructor(private readonly http: WeChatHttp) {}

  apiComponentToken(req: ApiComponentTokenRequest): Promise<ApiComponentTokenResponse> {
    return this.http.post('api_component_token', `${BASE}/api_component_token`, {}, req, RESENDABLE);
  }

  apiCreatePreauthcode(componentAccessToken: string, req: ApiCreatePreauthcodeRequest): Promise<ApiCreatePreauthcodeResponse> {
    return this.withToken('api_create_preauthcode', componentAccessToken, req);
  }

  apiQueryAuth(componentAccessToken: string, req: ApiQueryAuthRequest): Promise<ApiQueryAuthResponse> {
    return this.withToken('api_query_auth', componentAccessToken, req);
  }

  apiAuthorizerToken(componentAccessToken: string, req: ApiAuthorizerTokenRequest): Promise<ApiAuthorizerTokenResponse> {
    return this.withToken('api_authorizer_token', componentAccessToken, req);
  }

  apiGetAuthorizerInfo(componentAccessToken: string, req: ApiGetAuthorizerInfoRequest): Promise<ApiGetAuthorizerInfoResponse> {
    return this.withToken('api_get_authorizer_info', componentAccessToken, req);
  }

  /** Unused by the gateway for now: kept for refresh-token recovery (the next issue lists authorizers to re-find lost tokens). */
  apiGetAuthorizerList(componentAccessToken: string, req: ApiGetAuthorizerListRequest): Promise<ApiGetAuthorizerListResponse> {
    return this.withToken('api_get_authorizer_list', componentAccessToken, req);
  }

  /** Asks WeChat to push a component_verify_ticket now (e.g. after a restart lost it). */
  apiStartPushTicket(req: ApiStartPushTicketRequest): Promise<ApiStartPushTicketResponse> {
    return this.http.post('api_start_push_ticket', `${BASE}/api_start_push_ticket`, {}, req, RESENDABLE);
  }

  private withToken<T>(api: WeChatApiName, componentAccessToken: string, body: object): Promise<T> {
    // An empty token would only earn a 41001 from WeChat and cost a call.
    if (typeof componentAccessToken !== 'string' || componentAccessToken === '') {
      return Promise.reject(new WeChatRequestError(`${api}: component_access_token is required`, api));
    }
    return this.http.post<T>(api, `${BASE}/${api}`, { component_access_token: componentAccessToken }, body, RESENDABLE);
  }
}

/** The permission set ids granted in `func_info`, sorted and without duplicates. */
export function permissionSetIds(funcInfo: readonly FuncInfo[] | null | undefined): number[] {
  const ids = new Set<number>();
  for (const entry of funcInfo ?? []) {
    const id = entry?.funcscope_category?.id;
    if (typeof id === 'number' && Number.isInteger(id)) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}
