import { API_NAMES, type ApiName, PERMISSION_SETS } from '../api-names';
import { authorizerView, type AuthorizerAccount, type AuthorizerView } from '../authorizers';
import type { CallFilter, CallLogEntry } from '../call-log';
import type { AuthorizeResult, ControlPushMode, SimCore } from '../core';
import { ControlError } from '../errors';
import type { Fault, FaultInput } from '../faults';
import { assertHttpUrl, type AuthorizationPushMode } from '../options';
import type { PushRecord } from '../pusher';
import type { SimSettings } from '../state';
import { Input } from './input';

export interface AuthorizerFields {
  appId?: string;
  nickName?: string;
  principalName?: string;
  /** 0 subscription, 1 upgraded subscription, 2 service account (default). */
  serviceType?: number;
  /** Shorthand for verifyType: true → 0, false → -1. */
  verified?: boolean;
  /** -1 = unverified; 0..5 WeChat's verification kinds. */
  verifyType?: number;
  /** Sets this account grants by default when it authorizes. */
  permissionSets?: number[];
  followers?: string[];
  /** Generated follower openids, prefixed per appid. */
  followerCount?: number;
}

export interface CreateAuthorizerRequest extends AuthorizerFields {
  /** Authorize our component right away (pushes `authorized`, returns the auth code). */
  authorize?: boolean;
  push?: ControlPushMode;
}

export interface UpdateAuthorizerRequest {
  nickName?: string;
  principalName?: string;
  serviceType?: number;
  verified?: boolean;
  verifyType?: number;
  /** Silently changes the sets of the current authorization (no event), e.g. to provoke 61007. */
  permissionSets?: number[];
  defaultPermissionSets?: number[];
  /** Replaces the follower list. */
  followers?: string[];
  addFollowers?: string[];
  removeFollowers?: string[];
  addFollowerCount?: number;
  /** Replaces the blacklist; every openid must be a follower. */
  blacklist?: string[];
}

export interface NextAuthorizationRequest extends AuthorizerFields {
  push?: AuthorizationPushMode;
  /** With push 'after': wait this long after the redirect before pushing. */
  pushDelayMs?: number;
}

export interface ExpireTokensRequest {
  kind: 'component' | 'authorizer' | 'all';
  appId?: string;
}

export interface QuotaRequest {
  /** An API name, or '*' for all. */
  api: ApiName | '*';
  daily?: number;
  perMinute?: number;
  appId?: string;
}

export type SettingsRequest = Partial<Omit<SimSettings, 'eventUrl'>>;

export type CreateAuthorizerResult = AuthorizerView & { authCode?: string; expiresIn?: number; push?: PushRecord };

const APP_ID = /^[A-Za-z0-9_-]{1,64}$/;
const SET_IDS = new Set(PERMISSION_SETS.map((s) => s.id));
const CONTROL_PUSH: readonly ControlPushMode[] = ['now', 'hold', 'none'];
const PAGE_PUSH: readonly AuthorizationPushMode[] = ['before', 'after', 'hold', 'none'];

/**
 * The control surface, shared by the HTTP routes under /__sim and the in-process helpers, so both
 * validate identically (bad input → ControlError 400, unknown account → 404).
 */
export class ControlService {
  constructor(private readonly sim: SimCore) {}

  info() {
    const { opts, state } = this.sim;
    return {
      componentAppId: opts.componentAppId,
      eventUrl: state.settings.eventUrl ?? null,
      settings: state.settings,
      clock: this.sim.clock.now(),
      authorizers: state.authorizers.list().length,
      nextAuthorization: state.nextAuthorization ?? null,
    };
  }

  listAuthorizers(includeFollowers = false): AuthorizerView[] {
    return this.sim.state.authorizers.list().map((a) => authorizerView(a, { includeFollowers }));
  }

  getAuthorizer(appId: string, includeFollowers = true): AuthorizerView {
    return authorizerView(this.account(appId), { includeFollowers });
  }

  async createAuthorizer(body: unknown): Promise<CreateAuthorizerResult> {
    const input = new Input(body);
    const fields = this.readAuthorizerFields(input);
    const authorize = input.bool('authorize');
    const push = input.oneOf('push', CONTROL_PUSH);
    input.done();
    if (push && !authorize) throw new ControlError(400, 'push only applies with authorize: true');
    const account = this.createAccount(fields);
    if (!authorize) return authorizerView(account);
    const result = await this.sim.authorize(account.appId, undefined, push ?? 'now');
    return { ...authorizerView(account), authCode: result.authCode, expiresIn: result.expiresIn, push: result.push };
  }

  updateAuthorizer(appId: string, body: unknown): AuthorizerView {
    const account = this.account(appId);
    const input = new Input(body);
    const nickName = input.string('nickName', { max: 64 });
    const principalName = input.string('principalName', { max: 128 });
    const serviceType = input.int('serviceType', 0, 2);
    const verifyType = this.readVerifyType(input);
    const permissionSets = input.intArray('permissionSets', SET_IDS);
    const defaultPermissionSets = input.intArray('defaultPermissionSets', SET_IDS);
    const followers = input.stringArray('followers');
    const addFollowers = input.stringArray('addFollowers');
    const removeFollowers = input.stringArray('removeFollowers');
    const addFollowerCount = input.int('addFollowerCount', 0, 2_000_000);
    const blacklist = input.stringArray('blacklist');
    input.done();
    if (permissionSets && account.authorization.status !== 'authorized') {
      throw new ControlError(409, `${appId} is not authorized; use defaultPermissionSets or reauthorize`);
    }
    this.assertOpenIdsFree(appId, [...(followers ?? []), ...(addFollowers ?? [])]);

    if (nickName !== undefined) account.nickName = nickName;
    if (principalName !== undefined) account.principalName = principalName;
    if (serviceType !== undefined) account.serviceType = serviceType;
    if (verifyType !== undefined) account.verifyType = verifyType;
    if (permissionSets) account.authorization.permissionSets = [...new Set(permissionSets)].sort((a, b) => a - b);
    if (defaultPermissionSets) account.defaultPermissionSets = defaultPermissionSets;
    if (followers) account.followers = new Set(followers);
    for (const o of addFollowers ?? []) account.followers.add(o);
    for (const o of removeFollowers ?? []) account.followers.delete(o);
    if (addFollowerCount) this.sim.state.authorizers.addGeneratedFollowers(account, addFollowerCount);
    if (blacklist) {
      const strangers = blacklist.filter((o) => !account.followers.has(o));
      if (strangers.length)
        throw new ControlError(400, `blacklist entries are not followers: ${strangers.slice(0, 5).join(', ')}`);
      account.blacklist = new Set(blacklist);
    }
    account.sortedBlacklistCache = undefined;
    return authorizerView(account);
  }

  async revoke(appId: string, body: unknown): Promise<{ appId: string; push: PushRecord }> {
    const account = this.account(appId);
    const input = new Input(body);
    const push = input.oneOf('push', CONTROL_PUSH) ?? 'now';
    input.done();
    if (account.authorization.status !== 'authorized') throw new ControlError(409, `${appId} is not authorized`);
    return { appId, push: await this.sim.revoke(appId, push) };
  }

  async reauthorize(appId: string, body: unknown): Promise<AuthorizeResult> {
    this.account(appId);
    const input = new Input(body);
    const permissionSets = input.intArray('permissionSets', SET_IDS);
    const push = input.oneOf('push', CONTROL_PUSH) ?? 'now';
    input.done();
    return this.sim.authorize(appId, permissionSets, push);
  }

  /** The next authorization page GET completes at once (302, no human) for this account. */
  setNextAuthorization(body: unknown) {
    const input = new Input(body);
    const fields = this.readAuthorizerFields(input);
    const push = input.oneOf('push', PAGE_PUSH);
    const pushDelayMs = input.int('pushDelayMs', 0, 600_000);
    input.done();
    let account = fields.appId ? this.sim.state.authorizers.get(fields.appId) : undefined;
    const created = !account;
    // An existing account keeps its attributes; only permissionSets applies to this authorization.
    account ??= this.createAccount(fields);
    const next = { appId: account.appId, permissionSets: fields.permissionSets, push, pushDelayMs };
    this.sim.state.nextAuthorization = next;
    return { ...next, created };
  }

  clearNextAuthorization(): void {
    this.sim.state.nextAuthorization = undefined;
  }

  expireTokens(body: unknown): { expired: number } {
    const input = new Input(body);
    const kind = input.oneOf('kind', ['component', 'authorizer', 'all'] as const);
    const appId = input.string('appId', { pattern: APP_ID });
    input.done();
    if (!kind) throw new ControlError(400, 'kind is required');
    if (appId && kind === 'component') throw new ControlError(400, 'appId applies to authorizer tokens only');
    return { expired: this.sim.state.tokens.expire({ kind: kind === 'all' ? undefined : kind, appId }) };
  }

  addFault(body: unknown): Fault {
    const input = new Input(body);
    const api = input.requiredString('api');
    const type = input.oneOf('type', ['errcode', 'http500', 'delay', 'drop'] as const);
    const errcode = input.int('errcode', -1_000_000, 1_000_000);
    const delayMs = input.int('delayMs', 0, 600_000);
    const count = input.int('count', 1, 1_000_000_000);
    const probability = input.number('probability', 0, 1);
    const appId = input.string('appId', { pattern: APP_ID });
    input.done();
    if (api !== '*' && !(API_NAMES as readonly string[]).includes(api)) {
      throw new ControlError(400, `api must be '*' or one of ${API_NAMES.join(', ')}`);
    }
    if (!type) throw new ControlError(400, 'type is required');
    if (type === 'errcode' && errcode === undefined) throw new ControlError(400, 'errcode is required for type errcode');
    if (type === 'errcode' && errcode === 0) throw new ControlError(400, 'errcode 0 is not a fault');
    if (type !== 'errcode' && errcode !== undefined) throw new ControlError(400, 'errcode only applies to type errcode');
    if (type === 'delay' && delayMs === undefined) throw new ControlError(400, 'delayMs is required for type delay');
    if (type !== 'delay' && delayMs !== undefined) throw new ControlError(400, 'delayMs only applies to type delay');
    const fault: FaultInput = { api: api as FaultInput['api'], type, errcode, delayMs, count, probability, appId };
    return this.sim.faults.add(fault);
  }

  calls(query: Record<string, unknown>): CallLogEntry[] {
    const filter: CallFilter = {};
    for (const [k, v] of Object.entries(query)) {
      if (typeof v !== 'string') throw new ControlError(400, `${k} must be given once`);
      if (k === 'api') filter.api = v;
      else if (k === 'appId') filter.appId = v;
      else if (k === 'since') {
        if (!/^\d+$/.test(v)) throw new ControlError(400, 'since must be a call sequence number');
        filter.since = Number(v);
      } else throw new ControlError(400, `unknown filter ${k}`);
    }
    return this.sim.callLog.list(filter);
  }

  setEventUrl(body: unknown): { eventUrl: string } {
    const input = new Input(body);
    const url = input.requiredString('url');
    input.done();
    try {
      assertHttpUrl('url', url);
    } catch (err) {
      throw new ControlError(400, (err as Error).message);
    }
    this.sim.state.settings.eventUrl = url;
    return { eventUrl: url };
  }

  setQuota(body: unknown) {
    const input = new Input(body);
    const api = input.requiredString('api');
    const daily = input.int('daily', 0, 1_000_000_000);
    const perMinute = input.int('perMinute', 0, 1_000_000_000);
    const appId = input.string('appId', { pattern: APP_ID });
    input.done();
    if (api !== '*' && !(API_NAMES as readonly string[]).includes(api)) {
      throw new ControlError(400, `api must be '*' or one of ${API_NAMES.join(', ')}`);
    }
    if (daily === undefined && perMinute === undefined) throw new ControlError(400, 'give daily and/or perMinute');
    const apis = api === '*' ? [...API_NAMES] : [api as ApiName];
    for (const a of apis) {
      this.sim.quotas.setLimit(
        a,
        { ...(daily !== undefined ? { daily } : {}), ...(perMinute !== undefined ? { perMinute } : {}) },
        appId,
      );
    }
    return { api, appId: appId ?? null, daily: daily ?? null, perMinute: perMinute ?? null };
  }

  quotaUsage(query: Record<string, unknown>) {
    const account = typeof query.appId === 'string' ? query.appId : this.sim.opts.componentAppId;
    return Object.fromEntries(
      API_NAMES.map((api) => [
        api,
        { ...this.sim.quotas.usage(account, api), perMinute: this.sim.quotas.limits(account, api).perMinute },
      ]),
    );
  }

  updateSettings(body: unknown): SimSettings {
    const input = new Input(body);
    const authorizationPush = input.oneOf('authorizationPush', PAGE_PUSH);
    const blacklistPageSize = input.int('blacklistPageSize', 1, 1_000_000);
    const blacklistTrailingEmptyPage = input.bool('blacklistTrailingEmptyPage');
    input.done();
    const s = this.sim.state.settings;
    if (authorizationPush) s.authorizationPush = authorizationPush;
    if (blacklistPageSize) s.blacklistPageSize = blacklistPageSize;
    if (blacklistTrailingEmptyPage !== undefined) s.blacklistTrailingEmptyPage = blacklistTrailingEmptyPage;
    return { ...s };
  }

  advanceClock(body: unknown): { now: number } {
    const input = new Input(body);
    const ms = input.int('ms', 0, 400 * 86_400_000);
    input.done();
    if (ms === undefined) throw new ControlError(400, 'ms is required');
    this.sim.clock.advance(ms);
    return { now: this.sim.clock.now() };
  }

  private account(appId: string): AuthorizerAccount {
    const account = this.sim.state.authorizers.get(appId);
    if (!account) throw new ControlError(404, `no authorizer ${appId}`);
    return account;
  }

  private readVerifyType(input: Input): number | undefined {
    const verified = input.bool('verified');
    const verifyType = input.int('verifyType', -1, 5);
    if (verified !== undefined && verifyType !== undefined && verified !== (verifyType !== -1)) {
      throw new ControlError(400, 'verified and verifyType disagree');
    }
    return verifyType ?? (verified === undefined ? undefined : verified ? 0 : -1);
  }

  private readAuthorizerFields(input: Input): AuthorizerFields {
    return {
      appId: input.string('appId', { pattern: APP_ID }),
      nickName: input.string('nickName', { max: 64 }),
      principalName: input.string('principalName', { max: 128 }),
      serviceType: input.int('serviceType', 0, 2),
      verifyType: this.readVerifyType(input),
      permissionSets: input.intArray('permissionSets', SET_IDS),
      followers: input.stringArray('followers'),
      followerCount: input.int('followerCount', 0, 2_000_000),
    };
  }

  private createAccount(fields: AuthorizerFields): AuthorizerAccount {
    if (fields.appId && this.sim.state.authorizers.has(fields.appId)) {
      throw new ControlError(409, `authorizer ${fields.appId} already exists`);
    }
    this.assertOpenIdsFree(fields.appId, fields.followers ?? []);
    return this.sim.state.authorizers.create(fields);
  }

  /** An openid belongs to exactly one account in WeChat; keep the simulated world consistent. */
  private assertOpenIdsFree(appId: string | undefined, openids: string[]): void {
    if (!openids.length) return;
    for (const other of this.sim.state.authorizers.list()) {
      if (other.appId === appId) continue;
      const clash = openids.find((o) => this.sim.state.authorizers.knowsOpenId(other, o));
      if (clash) throw new ControlError(400, `openid ${clash} already belongs to ${other.appId}`);
    }
  }
}
