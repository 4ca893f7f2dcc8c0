import { Injectable } from '@nestjs/common';
import { type GetTicketResponse, type JsTicketType, requiredPermissionSets, TicketApi, WeChatApiError } from '@app/wechat';
import { AuthorizerTokensService } from '../authorizers/authorizer-tokens.service';
import { PermissionSetMissingError, QuotaExceededError } from '../blacklist/blacklist.errors';
import type { TenantId } from '../tenants/tenant-id';
import { QuotaBlocksService } from '../wechat-call-budget/quota-blocks.service';

/** jsapi and wx_card share the API's daily quota: one block stops both. */
const QUOTA_KEY = 'getticket';

/**
 * The one place a getticket is sent, with the tenant's authorizer token: a 45009 block shared by
 * every instance is honoured and set (429 QUOTA_EXCEEDED with Retry-After until the reset), and
 * 40001/42001 cost one token refresh and one retry (AuthorizerTokensService). Kept to this class so
 * it moves to the tenant-call seam in one edit when that lands.
 */
@Injectable()
export class GetTicketCall {
  constructor(
    private readonly tokens: AuthorizerTokensService,
    private readonly quota: QuotaBlocksService,
    private readonly api: TicketApi,
  ) {}

  async fetch(tenantId: TenantId, type: JsTicketType): Promise<GetTicketResponse> {
    const blocked = await this.quota.blockedUntil(tenantId, QUOTA_KEY);
    if (blocked) throw new QuotaExceededError(QUOTA_KEY, blocked);
    try {
      return await this.tokens.callWithAccessToken(tenantId, (token) => this.api.getTicket(token, type));
    } catch (e) {
      if (e instanceof WeChatApiError && e.kind === 'quota-daily') {
        throw new QuotaExceededError(QUOTA_KEY, await this.quota.block(tenantId, QUOTA_KEY));
      }
      if (e instanceof WeChatApiError && e.kind === 'set-missing')
        throw new PermissionSetMissingError(requiredPermissionSets('getticket'), []);
      throw e;
    }
  }
}
