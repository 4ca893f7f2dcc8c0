import type { EncryptedPush } from '../push-auth/encrypted-push.pipe';
import { Injectable, Logger } from '@nestjs/common';
import { buildWeChatXml, parseWeChatXmlTree, type WeChatXmlObject } from '@app/wechat';
import { AuthorizerAccountsService } from '../authorizers/authorizer-accounts.service';
import { type ActiveAccount, ActiveAccounts } from '../authorizers/active-accounts';
import { AuthorizersRepository } from '../authorizers/authorizers.repository';
import { Transactions } from '../platform/database/transactions';
import { WebhookPublisher } from '../webhooks/webhook-publisher';
import type { PushQuery } from '../push-auth/push.query';
import { PushAuthenticator } from '../push-auth/push-authentication';
import { goLiveCase } from './go-live-cases';
import { GoLiveResponder, type MessageAnswer } from './go-live-responder';
import { MessageMetrics } from './message-metrics';
import { MessageReceiptsRepository } from './message-receipts.repository';
import { messageKey, toReceivedMessage } from './received-message';

const SUCCESS = 'success';

/**
 * The message and event URL of every authorized Official Account. After the shared push
 * authentication: WeChat's go-live test accounts get the responder's answers; a message for an
 * account bound to an active tenant is recorded (receipt + message.received event, one
 * transaction) before `success` is answered, so WeChat's retries, on any instance, are answered
 * the same and never forwarded twice; anything else is acknowledged and counted.
 */
@Injectable()
export class WeChatMessagesService {
  private readonly logger = new Logger(WeChatMessagesService.name);

  constructor(
    private readonly authenticator: PushAuthenticator,
    private readonly authorizers: AuthorizersRepository,
    private readonly activeAccounts: ActiveAccounts,
    private readonly accounts: AuthorizerAccountsService,
    private readonly receipts: MessageReceiptsRepository,
    private readonly publisher: WebhookPublisher,
    private readonly transactions: Transactions,
    private readonly goLive: GoLiveResponder,
    private readonly metrics: MessageMetrics,
  ) {}

  /** The exact body to answer WeChat with: `success`, '' or the encrypted passive reply. */
  async receive(appId: string, query: PushQuery, body: EncryptedPush): Promise<string> {
    const { message } = this.authenticator.authenticate(query, body, (xml) => parseWeChatXmlTree(xml));
    if (this.goLive.isTestAccount(appId)) return this.answerGoLive(appId, message);

    const cached = await this.activeAccounts.forAppId(appId);
    let account = cached;
    let outcome = account && (await this.forward(appId, account, message));
    if (cached && outcome === 'moved') {
      // The copy named a tenant the account has just left for another (re-authorized there, the
      // change not yet announced here): ask the database itself, so the new tenant gets the message.
      account = await this.authorizers.activeAccountForAppId(appId);
      outcome = account && account.tenantId !== cached.tenantId ? await this.forward(appId, account, message) : undefined;
    }
    if (!account || !outcome || outcome === 'moved' || outcome === 'no_active_tenant') {
      this.logger.log(
        { appId, msgType: message.MsgType },
        'message for an account with no active tenant; acknowledged, not forwarded',
      );
      this.metrics.message(account?.tenantId, 'no_active_tenant');
      return SUCCESS;
    }
    const { tenantId } = account;
    if (outcome === 'wrong_account') {
      this.logger.warn({ tenantId, appId }, "message whose ToUserName is not this account's; acknowledged, not forwarded");
      this.metrics.message(tenantId, 'wrong_account');
      return SUCCESS;
    }
    if (typeof outcome === 'object') {
      this.logger.log({ tenantId, appId }, 'retried message answered as before, not forwarded again');
      this.metrics.message(tenantId, 'duplicate');
      return outcome.duplicate;
    }
    this.metrics.message(tenantId, outcome);
    return SUCCESS;
  }

  /**
   * Forwards a follower's message to the tenant `account` names, once: 'moved' when the account
   * now belongs to another active tenant, 'no_active_tenant' when to none.
   */
  private async forward(
    appId: string,
    account: ActiveAccount,
    message: WeChatXmlObject,
  ): Promise<'forwarded' | 'moved' | 'no_active_tenant' | 'wrong_account' | { duplicate: string }> {
    const { tenantId } = account;
    // The signature proves WeChat sent it, not to which account: a push for another account
    // replayed to this URL must not reach this tenant. Acknowledged so WeChat does not retry it.
    const userName = account.userName ?? (await this.accounts.readOriginalId(tenantId));
    if (message.ToUserName !== userName) return 'wrong_account';
    const key = messageKey(message);
    return this.transactions.run(async (m) => {
      // Checked again as the receipt is stored: a revocation committed meanwhile stops the forwarding.
      const claim = await this.receipts.claimForTenant(m, tenantId, appId, key, SUCCESS);
      if (claim === 'not-for-tenant') {
        const current = await this.authorizers.activeTenantIdForAppId(appId, m);
        return current && current !== tenantId ? ('moved' as const) : ('no_active_tenant' as const);
      }
      if (!claim.first) return { duplicate: claim.answer };
      await this.publisher.publish(m, {
        type: 'message.received',
        tenantId,
        data: { tenantId, appId, message: toReceivedMessage(message) },
      });
      return 'forwarded' as const;
    });
  }

  /**
   * WeChat's go-live check. A QUERY_AUTH_CODE push is claimed like any message first: a retry
   * (on any instance) gets the same empty answer and never exchanges the code a second time.
   */
  private async answerGoLive(appId: string, message: WeChatXmlObject): Promise<string> {
    if (goLiveCase(message).name === 'query_auth_code') {
      const claim = await this.transactions.run((m) => this.receipts.claim(m, appId, messageKey(message), ''));
      if (!claim.first) {
        this.logger.log(
          { appId, case: 'query_auth_code' },
          'go-live check: retried push answered as before, code not exchanged again',
        );
        return claim.answer;
      }
    }
    return this.render(message, this.goLive.respond(appId, message));
  }

  /** The reply XML (to the sender, from the account's gh_ id) sealed with our component credentials. */
  private render(message: WeChatXmlObject, answer: MessageAnswer): string {
    if (answer.kind === 'success') return SUCCESS;
    if (answer.kind === 'empty') return '';
    const reply = buildWeChatXml({
      ToUserName: typeof message.FromUserName === 'string' ? message.FromUserName : '',
      FromUserName: typeof message.ToUserName === 'string' ? message.ToUserName : '',
      CreateTime: Math.floor(Date.now() / 1000),
      MsgType: 'text',
      Content: answer.content,
    });
    return this.authenticator.sealReply(reply);
  }
}
