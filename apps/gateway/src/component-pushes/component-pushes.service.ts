import type { EncryptedPush } from '../push-auth/encrypted-push.pipe';
import { systemActor } from '../audit/audit-actor';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { parseWeChatXml } from '@app/wechat';
import { AuthorizerAccountsService } from '../authorizers/authorizer-accounts.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { AuthorizationExchangeService } from '../onboarding/authorization-exchange.service';
import { AuthorizationSessionsService } from '../onboarding/authorization-sessions.service';
import { ComponentTokenService } from '../component/component-token.service';
import type { PushQuery } from '../push-auth/push.query';
import { PushAuthenticator, UnreadablePushError } from '../push-auth/push-authentication';
import { PushRejectedError } from '../push-auth/push-rejected.error';
import { PushReceiptsRepository } from './push-receipts.repository';
import type { TenantId } from '../tenants/tenant-id';

/** Answer WeChat well inside its 5 s limit, whatever processing still has to do. */
const PUSH_ANSWER_BUDGET_MS = 4000;

/**
 * Pushes to the authorization event URL. Authenticate first (PushAuthenticator, shared with the
 * message URL; then the decrypted AppId must be ours); only then record (signature, timestamp,
 * nonce) so a replay is answered but not processed again, and act on the event.
 */
@Injectable()
export class WeChatEventsService {
  private readonly logger = new Logger(WeChatEventsService.name);

  constructor(
    private readonly receipts: PushReceiptsRepository,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly componentTokens: ComponentTokenService,
    private readonly authorizers: AuthorizerAccountsService,
    private readonly sessions: AuthorizationSessionsService,
    private readonly exchange: AuthorizationExchangeService,
    private readonly authenticator: PushAuthenticator,
  ) {}

  async receive(query: PushQuery, body: EncryptedPush): Promise<void> {
    let push;
    try {
      push = this.authenticator.authenticate(query, body, (xml) => parseWeChatXml(xml));
    } catch (e) {
      if (!(e instanceof UnreadablePushError)) throw e;
      // Authentic, but not XML we can read: a retry would be the same bytes, so acknowledge and ignore.
      this.logger.warn('authentic push whose decrypted message is not valid WeChat XML acknowledged and ignored');
      return;
    }
    const { message: fields, signature, timestamp, nonce } = push;
    if (fields.AppId !== this.config.wechat.componentAppId) throw new PushRejectedError('decrypted AppId is not ours');
    // Authentic but unusable (NUL cannot reach PostgreSQL): acknowledged, so WeChat does not retry it forever.
    if (Object.values(fields).some((v) => v.includes('\u0000'))) {
      this.logger.warn({ infoType: storableInfoType(fields.InfoType) }, 'push with a NUL character acknowledged and ignored');
      return;
    }
    const infoType = storableInfoType(fields.InfoType);
    const receipt = { signature, timestamp, nonce };
    if (!(await this.receipts.recordFirst(receipt, infoType))) {
      this.logger.log({ infoType }, 'replayed push acknowledged, not processed again');
      return;
    }
    const work = this.process(fields).catch(async (e) => {
      // Let WeChat's retry (same signature) be processed: forget the receipt.
      await this.receipts.forget(receipt).catch(() => undefined);
      throw e;
    });
    // WeChat wants its answer within 5 s. A slow exchange (WeChat retries, a busy database) goes on
    // in the background after the budget; if it then fails, the receipt is gone and WeChat's retry
    // of the same push is processed.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), PUSH_ANSWER_BUDGET_MS);
      timer.unref();
    });
    try {
      const outcome = await Promise.race([work.then(() => 'done' as const), late]);
      if (outcome === 'late') {
        this.logger.warn(
          { infoType },
          'push still being processed after the answer budget; acknowledged, finishing in the background',
        );
        work.catch((e: Error) =>
          this.logger.error({ infoType, errorName: e.name, err: e.message }, 'background push processing failed'),
        );
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private async process(f: Record<string, string>): Promise<void> {
    switch (f.InfoType) {
      case 'component_verify_ticket': {
        const createTime = Number(f.CreateTime);
        if (!f.ComponentVerifyTicket || !Number.isSafeInteger(createTime)) {
          this.logger.warn('verify ticket push without a ticket or CreateTime; ignored');
          return;
        }
        await this.componentTokens.storeTicket(f.ComponentVerifyTicket, createTime);
        return;
      }
      case 'authorized':
      case 'updateauthorized':
        return this.authorized(f);
      case 'unauthorized': {
        const tenantId = f.AuthorizerAppid ? await this.authorizers.tenantIdForAppId(f.AuthorizerAppid) : undefined;
        if (!tenantId) {
          this.logger.warn({ appId: f.AuthorizerAppid }, 'unauthorized push for an account bound to no tenant; ignored');
          return;
        }
        await this.authorizers.markRevoked(tenantId, systemActor('push'));
        this.logger.warn(
          { tenantId, appId: f.AuthorizerAppid },
          'merchant revoked the authorization; tenant revoked, tokens wiped',
        );
        return;
      }
      default:
        this.logger.log({ infoType: storableInfoType(f.InfoType) }, 'push of an unhandled type acknowledged');
    }
  }

  /** Bound through the PreAuthCode a session minted, else through the account already bound. */
  private async authorized(f: Record<string, string>): Promise<void> {
    const authCode = f.AuthorizationCode;
    if (!authCode) {
      this.logger.warn({ infoType: f.InfoType }, 'authorization push without an AuthorizationCode; ignored');
      return;
    }
    const session = f.PreAuthCode ? await this.sessions.findByPreAuthCode(f.PreAuthCode) : undefined;
    let binding: { tenantId: TenantId; sessionId: string | null } | undefined = session && {
      tenantId: session.tenantId,
      sessionId: session.id,
    };
    if (!binding && f.AuthorizerAppid) {
      const tenantId = await this.authorizers.tenantIdForAppId(f.AuthorizerAppid);
      if (tenantId) binding = { tenantId, sessionId: null };
    }
    if (!binding) {
      this.logger.warn(
        { infoType: f.InfoType, appId: f.AuthorizerAppid },
        'authorization push matches no session or tenant; ignored',
      );
      return;
    }
    const result = await this.exchange.exchange(authCode, binding, systemActor('push'));
    this.logger.log(
      { infoType: f.InfoType, tenantId: binding.tenantId, outcome: result.outcome, replayed: result.replayed },
      'authorization push handled',
    );
  }
}

/** The receipt keeps the type for operators; one that is no plausible type name (over 64 characters, odd characters) is kept as null. */
function storableInfoType(infoType: string | undefined): string | null {
  return infoType !== undefined && /^[A-Za-z0-9_.-]{1,64}$/.test(infoType) ? infoType : null;
}
