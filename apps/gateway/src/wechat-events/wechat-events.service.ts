import { Inject, Injectable, Logger } from '@nestjs/common';
import { parseWeChatXml, WeChatMessageCrypto } from '@app/wechat';
import { AuthorizerAccountsService } from '../authorizers/authorizer-accounts.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { AuthorizationExchangeService } from '../onboarding/authorization-exchange.service';
import { AuthorizationSessionsService } from '../onboarding/authorization-sessions.service';
import { ComponentTokenService } from '../component/component-token.service';
import type { PushQuery } from './dto/push.query';
import { PushReceiptsRepository } from './push-receipts.repository';
import { PushRejectedError } from './push-rejected.error';
import type { TenantId } from '../tenants/tenant-id';

/** WeChat's own window: a push whose timestamp is further than this from now is refused. */
export const PUSH_MAX_SKEW_SECONDS = 300;

/** Answer WeChat well inside its 5 s limit, whatever processing still has to do. */
const PUSH_ANSWER_BUDGET_MS = 4000;

interface AuthenticPush {
  fields: Record<string, string>;
  /** Authentic, but the decrypted message is not XML we can read. */
  unreadable?: boolean;
  signature: string;
  timestamp: string;
  nonce: string;
}

/**
 * Pushes to the authorization event URL. Authenticate first (query shape in PushQuery, then
 * signature in constant time, timestamp window, decryption with the current then the previous key, appid tail, safe XML);
 * only then record (signature, timestamp, nonce) so a replay is answered but not processed
 * again, and act on the event.
 */
@Injectable()
export class WeChatEventsService {
  private readonly logger = new Logger(WeChatEventsService.name);
  private readonly crypto: WeChatMessageCrypto;

  constructor(
    private readonly receipts: PushReceiptsRepository,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly componentTokens: ComponentTokenService,
    private readonly authorizers: AuthorizerAccountsService,
    private readonly sessions: AuthorizationSessionsService,
    private readonly exchange: AuthorizationExchangeService,
  ) {
    this.crypto = new WeChatMessageCrypto({
      token: config.wechat.componentToken,
      encodingAESKey: config.wechat.encodingAESKey,
      previousEncodingAESKey: config.wechat.previousEncodingAESKey,
      appId: config.wechat.componentAppId,
    });
  }

  async receive(query: PushQuery, body: unknown): Promise<void> {
    const push = this.authenticate(query, body);
    if (push.unreadable) {
      this.logger.warn('authentic push whose decrypted message is not valid WeChat XML acknowledged and ignored');
      return;
    }
    // Authentic but unusable (NUL cannot reach PostgreSQL): acknowledged, so WeChat does not retry it forever.
    if (Object.values(push.fields).some((v) => v.includes('\u0000'))) {
      this.logger.warn(
        { infoType: storableInfoType(push.fields.InfoType) },
        'push with a NUL character acknowledged and ignored',
      );
      return;
    }
    const infoType = storableInfoType(push.fields.InfoType);
    const receipt = { signature: push.signature, timestamp: push.timestamp, nonce: push.nonce };
    if (!(await this.receipts.recordFirst(receipt, infoType))) {
      this.logger.log({ infoType }, 'replayed push acknowledged, not processed again');
      return;
    }
    const work = this.process(push.fields).catch(async (e) => {
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

  private authenticate(query: PushQuery, body: unknown): AuthenticPush {
    const { timestamp, nonce, msg_signature: signature } = query;
    if (typeof body !== 'string' || body.length === 0) return reject('body is not XML');

    let outer: Record<string, string>;
    try {
      outer = parseWeChatXml(body);
    } catch {
      return reject('body is not valid XML');
    }
    const encrypt = outer.Encrypt;
    if (!encrypt) return reject('Encrypt missing');
    if (!this.crypto.verify(signature, timestamp, nonce, encrypt)) return reject('signature mismatch');
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > PUSH_MAX_SKEW_SECONDS)
      return reject('timestamp outside the 300 s window');
    if (outer.AppId !== undefined && outer.AppId !== this.config.wechat.componentAppId) return reject('AppId is not ours');

    let message: string;
    try {
      message = this.crypto.decrypt(encrypt).message;
    } catch (e) {
      return reject(`decryption failed (${(e as { code?: string }).code ?? 'invalid'})`);
    }
    let fields: Record<string, string>;
    try {
      fields = parseWeChatXml(message);
    } catch {
      // Signed and decrypted with our keys, yet not XML we can read: a retry would be the same
      // message, so it is acknowledged (and ignored) rather than refused forever.
      return { fields: {}, unreadable: true, signature: signature.toLowerCase(), timestamp, nonce };
    }
    if (fields.AppId !== this.config.wechat.componentAppId) return reject('decrypted AppId is not ours');
    return { fields, signature: signature.toLowerCase(), timestamp, nonce };
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
        // Pushes arrive every 10 minutes: a cheap moment to forget receipts no replay can match (the window is 300 s).
        await this.receipts.deleteOlderThanOneDay();
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
        await this.authorizers.markRevoked(tenantId);
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
    const result = await this.exchange.exchange(authCode, binding);
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

function reject(reason: string): never {
  throw new PushRejectedError(reason);
}
