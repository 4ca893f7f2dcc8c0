import { AuthorizerStore, type AuthorizerAccount } from './authorizers';
import type { SimClock } from './clock';
import { CodeStore } from './codes';
import { WeChatApiError } from './errors';
import { newAuthCode, newPreAuthCode, newRefreshToken, newTicket, randomAlnum } from './ids';
import type { AuthorizationPushMode, ResolvedOptions } from './options';
import type { PushEvent } from './pusher';
import { TokenStore } from './tokens';

export interface AuthCodeData {
  appId: string;
  generation: number;
}

/** What a web-authorization code (or a follower's refresh token) stands for. */
export interface WebOAuthGrant {
  appId: string;
  openid: string;
  scope: 'snsapi_base' | 'snsapi_userinfo';
}

export interface NextAuthorization {
  appId: string;
  permissionSets?: number[];
  push?: AuthorizationPushMode;
  pushDelayMs?: number;
}

export interface Grant {
  account: AuthorizerAccount;
  authCode: string;
  expiresIn: number;
  event: PushEvent;
}

/** A customer-service message an account sent through message/custom/send. */
export interface SentCustomMessage {
  appId: string;
  touser: string;
  msgtype: string;
  /** text.content of a text message. */
  content?: string;
  at: number;
}

/** Tunables the control API may change at run time. */
export interface SimSettings {
  eventUrl?: string;
  /** The message and event URL template (`$APPID$` is replaced by the account's appid). */
  messageUrl?: string;
  authorizationPush: AuthorizationPushMode;
  blacklistPageSize: number;
  blacklistTrailingEmptyPage: boolean;
  rotateRefreshTokens: boolean;
}

/**
 * Everything WeChat would know: tickets, tokens, codes, accounts and their authorization of our
 * component. Pure domain rules; no HTTP, no pushes (the caller sends the events it returns).
 */
export class SimState {
  readonly tickets: CodeStore<null>;
  readonly tokens: TokenStore;
  readonly preAuthCodes: CodeStore<null>;
  readonly authCodes: CodeStore<AuthCodeData>;
  /** Web-authorization codes (single use, 5 minutes) and the followers' refresh tokens (30 days). */
  readonly oauthCodes: CodeStore<WebOAuthGrant>;
  readonly userRefreshTokens: CodeStore<WebOAuthGrant>;
  readonly authorizers = new AuthorizerStore();
  customMessages: SentCustomMessage[] = [];
  /** JS-SDK tickets issued by getticket, newest last, per `appId|type` (tests check signatures with them). */
  jsTickets = new Map<string, string[]>();
  nextAuthorization?: NextAuthorization;
  settings: SimSettings;

  constructor(
    readonly opts: ResolvedOptions,
    readonly clock: SimClock,
  ) {
    this.tickets = new CodeStore(clock, newTicket);
    this.tokens = new TokenStore(clock);
    this.preAuthCodes = new CodeStore(clock, newPreAuthCode);
    this.authCodes = new CodeStore(clock, newAuthCode);
    this.oauthCodes = new CodeStore(clock, () => randomAlnum(32));
    this.userRefreshTokens = new CodeStore(clock, () => randomAlnum(64));
    this.settings = this.initialSettings(opts.eventUrl, opts.messageUrl);
  }

  /** Back to the start, keeping the component identity and the push URLs (wiring, not state). */
  reset(): void {
    this.tickets.clear();
    this.tokens.clear();
    this.preAuthCodes.clear();
    this.authCodes.clear();
    this.oauthCodes.clear();
    this.userRefreshTokens.clear();
    this.authorizers.clear();
    this.nextAuthorization = undefined;
    this.customMessages = [];
    this.jsTickets.clear();
    this.settings = this.initialSettings(this.settings.eventUrl, this.settings.messageUrl);
  }

  issueTicket(): string {
    return this.tickets.issue(this.opts.ticketTtlSec, null).value;
  }

  /** A new JS-SDK ticket for the account; earlier ones stay valid until their own expiry, as WeChat's do. */
  issueJsTicket(appId: string, type: 'jsapi' | 'wx_card', _ttlSec: number): string {
    const ticket = `${type === 'jsapi' ? 'sim_jsapi_' : 'sim_card_'}${randomAlnum(60)}`;
    const key = `${appId}|${type}`;
    this.jsTickets.set(key, [...(this.jsTickets.get(key) ?? []), ticket]);
    return ticket;
  }

  /** Any unexpired ticket is accepted, not only the newest (WeChat behaves the same). */
  checkTicket(ticket: unknown): void {
    if (typeof ticket !== 'string' || !ticket) throw new WeChatApiError(61006, 'component_verify_ticket missing');
    const { status } = this.tickets.peek(ticket);
    if (status === 'expired') throw new WeChatApiError(61005);
    if (status !== 'valid') throw new WeChatApiError(61006);
  }

  /**
   * Records a (re-)authorization of our component by an account: a new refresh token (the old
   * one turns stale, 61023), a fresh auth code, and the event WeChat would push.
   */
  grantAuthorization(appId: string, permissionSets: number[], preAuthCode?: string): Grant {
    const account = this.authorizers.get(appId);
    if (!account) throw new Error(`unknown authorizer ${appId}`);
    const auth = account.authorization;
    const wasAuthorized = auth.status === 'authorized';
    auth.status = 'authorized';
    auth.permissionSets = [...new Set(permissionSets)].sort((a, b) => a - b);
    auth.refreshToken = newRefreshToken();
    auth.authTime = this.clock.nowSec();
    auth.generation++;
    const code = this.authCodes.issue(this.opts.authCodeTtlSec, { appId, generation: auth.generation });
    const infoType = wasAuthorized ? 'updateauthorized' : 'authorized';
    return {
      account,
      authCode: code.value,
      expiresIn: this.opts.authCodeTtlSec,
      event: {
        infoType,
        authorizerAppId: appId,
        fields: {
          AuthorizerAppid: appId,
          AuthorizationCode: code.value,
          AuthorizationCodeExpiredTime: Math.floor(code.expiresAt / 1000),
          PreAuthCode: preAuthCode ?? '',
        },
      },
    };
  }

  /** The merchant cancels the authorization: tokens die (40001), refresh gives 61003. */
  revoke(appId: string): PushEvent {
    const account = this.authorizers.get(appId);
    if (!account) throw new Error(`unknown authorizer ${appId}`);
    const auth = account.authorization;
    auth.refreshToken = undefined;
    auth.status = 'revoked';
    auth.generation++;
    return { infoType: 'unauthorized', authorizerAppId: appId, fields: { AuthorizerAppid: appId } };
  }

  funcInfo(account: AuthorizerAccount) {
    return account.authorization.permissionSets.map((id) => ({ funcscope_category: { id } }));
  }

  private initialSettings(eventUrl: string | undefined, messageUrl: string | undefined): SimSettings {
    return {
      eventUrl,
      messageUrl,
      authorizationPush: this.opts.authorizationPush,
      blacklistPageSize: this.opts.blacklistPageSize,
      blacklistTrailingEmptyPage: this.opts.blacklistTrailingEmptyPage,
      rotateRefreshTokens: this.opts.rotateRefreshTokens,
    };
  }
}
