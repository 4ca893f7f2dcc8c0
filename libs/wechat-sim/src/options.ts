import type { ApiName } from './api-names';
import { aesKeyFromEncodingAESKey } from './push-crypto';

/** How an authorization event push is ordered relative to the browser's redirect. */
export type AuthorizationPushMode = 'before' | 'after' | 'hold' | 'none';

export interface SimulatorOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  componentAppId: string;
  componentAppSecret: string;
  componentToken: string;
  encodingAESKey: string;
  /** Where pushes go; may be set later with setEventUrl. */
  eventUrl?: string;
  /**
   * The component's "message and event URL" template, with `$APPID$` where WeChat puts the
   * account's appid: follower messages and the go-live check go there. May be set later.
   */
  messageUrl?: string;
  /** WeChat waits this long for the answer to a message push before trying again (5000). */
  messageTimeoutMs?: number;
  /** How often WeChat tries again after a message push got no answer in time (3). */
  messageRetries?: number;
  /** Base for links in the simulator's own pages; defaults to its listening URL. */
  publicBaseUrl?: string;
  ticketIntervalMs?: number;
  pushTicketOnStart?: boolean;
  ticketTtlSec?: number;
  componentTokenTtlSec?: number;
  /** How long the previous component token keeps working after a new one is issued. */
  componentTokenGraceSec?: number;
  preAuthCodeTtlSec?: number;
  authCodeTtlSec?: number;
  authorizerTokenTtlSec?: number;
  blacklistPageSize?: number;
  /**
   * false (default): the page that reaches the end has next_openid ''. true: like WeChat's
   * user/get, the last full page still carries next_openid and one more call returns count 0.
   */
  blacklistTrailingEmptyPage?: boolean;
  /**
   * false (default): api_authorizer_token returns the same refresh token until re-authorization.
   * true: every refresh issues a new refresh token and retires the old one (the contract allows it).
   */
  rotateRefreshTokens?: boolean;
  dailyQuota?: Partial<Record<ApiName, number>>;
  minuteRate?: Partial<Record<ApiName, number>>;
  /** Global throughput cap for benchmarks: excess calls queue, they are not rejected. */
  maxCallsPerSecond?: number;
  /** Default ordering of the authorization push against the redirect. */
  authorizationPush?: AuthorizationPushMode;
  /** If set, the authorization pages require a Referer from one of these hosts, as WeChat does. */
  authInitiationDomains?: string[];
  /**
   * The component's 公众号开发域名 (hosts): if set, web authorization refuses a redirect_uri on any
   * other host with error 10003, as WeChat does.
   */
  webOAuthDomains?: string[];
  pushTimeoutMs?: number;
  /** Oldest call-log entries are dropped beyond this many (trimmed in batches of 10%). */
  callLogLimit?: number;
  logger?: (line: object) => void;
  /** Injectable clock (ms) for expiry tests. */
  now?: () => number;
  /** Injectable randomness for fault probabilities. */
  random?: () => number;
}

export type ResolvedOptions = Required<
  Omit<
    SimulatorOptions,
    'eventUrl' | 'messageUrl' | 'publicBaseUrl' | 'maxCallsPerSecond' | 'authInitiationDomains' | 'webOAuthDomains'
  >
> &
  Pick<
    SimulatorOptions,
    'eventUrl' | 'messageUrl' | 'publicBaseUrl' | 'maxCallsPerSecond' | 'authInitiationDomains' | 'webOAuthDomains'
  >;

export const DEFAULT_DAILY_QUOTA = 100_000;
export const DEFAULT_MINUTE_RATE = 1_000_000;

export function resolveOptions(opts: SimulatorOptions): ResolvedOptions {
  for (const key of ['componentAppId', 'componentAppSecret', 'componentToken', 'encodingAESKey'] as const) {
    if (typeof opts[key] !== 'string' || opts[key].length === 0) {
      throw new Error(`wechat-sim: option ${key} is required`);
    }
  }
  aesKeyFromEncodingAESKey(opts.encodingAESKey);
  const positive = (name: string, v: number | undefined, def: number, allowZero = false): number => {
    const value = v ?? def;
    if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
      throw new Error(`wechat-sim: option ${name} must be a positive number`);
    }
    return value;
  };
  if (opts.maxCallsPerSecond !== undefined) positive('maxCallsPerSecond', opts.maxCallsPerSecond, 0);
  if (opts.eventUrl !== undefined) assertHttpUrl('eventUrl', opts.eventUrl);
  if (opts.messageUrl !== undefined) assertHttpUrl('messageUrl', opts.messageUrl);
  return {
    host: opts.host ?? '127.0.0.1',
    port: positive('port', opts.port, 0, true),
    componentAppId: opts.componentAppId,
    componentAppSecret: opts.componentAppSecret,
    componentToken: opts.componentToken,
    encodingAESKey: opts.encodingAESKey,
    eventUrl: opts.eventUrl,
    messageUrl: opts.messageUrl,
    messageTimeoutMs: positive('messageTimeoutMs', opts.messageTimeoutMs, 5000),
    messageRetries: positive('messageRetries', opts.messageRetries, 3, true),
    publicBaseUrl: opts.publicBaseUrl?.replace(/\/+$/, ''),
    ticketIntervalMs: positive('ticketIntervalMs', opts.ticketIntervalMs, 600_000),
    pushTicketOnStart: opts.pushTicketOnStart ?? true,
    ticketTtlSec: positive('ticketTtlSec', opts.ticketTtlSec, 12 * 3600),
    componentTokenTtlSec: positive('componentTokenTtlSec', opts.componentTokenTtlSec, 7200),
    componentTokenGraceSec: positive('componentTokenGraceSec', opts.componentTokenGraceSec, 300, true),
    preAuthCodeTtlSec: positive('preAuthCodeTtlSec', opts.preAuthCodeTtlSec, 600),
    authCodeTtlSec: positive('authCodeTtlSec', opts.authCodeTtlSec, 600),
    authorizerTokenTtlSec: positive('authorizerTokenTtlSec', opts.authorizerTokenTtlSec, 7200),
    blacklistPageSize: positive('blacklistPageSize', opts.blacklistPageSize, 10_000),
    blacklistTrailingEmptyPage: opts.blacklistTrailingEmptyPage ?? false,
    rotateRefreshTokens: opts.rotateRefreshTokens ?? false,
    dailyQuota: opts.dailyQuota ?? {},
    minuteRate: opts.minuteRate ?? {},
    maxCallsPerSecond: opts.maxCallsPerSecond,
    authorizationPush: opts.authorizationPush ?? 'after',
    authInitiationDomains: opts.authInitiationDomains,
    webOAuthDomains: opts.webOAuthDomains,
    pushTimeoutMs: positive('pushTimeoutMs', opts.pushTimeoutMs, 5000),
    callLogLimit: positive('callLogLimit', opts.callLogLimit, 100_000),
    logger: opts.logger ?? (() => undefined),
    now: opts.now ?? Date.now,
    random: opts.random ?? Math.random,
  };
}

export function assertHttpUrl(name: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be an absolute http(s) URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${name} must be an absolute http(s) URL`);
}
