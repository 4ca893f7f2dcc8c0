import { PERMISSION_SETS } from '../api-names';
import { authorizerView, type AuthorizerAccount, type AuthorizerView } from '../authorizers';
import type { AuthorizeResult, ControlPushMode, SimCore } from '../core';
import { ControlError } from '../errors';
import type { AuthorizationPushMode } from '../options';
import type { PushRecord } from '../pusher';
import { APP_ID, type FieldReaders, Later, PAGE_PUSH, readRequest } from './input';

// Each request type below is parsed by a FieldReaders<T> further down, so the compiler keeps the two in step.

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

export interface RevokeRequest {
  push?: ControlPushMode;
}

export interface ReauthorizeRequest {
  permissionSets?: number[];
  push?: ControlPushMode;
}

export interface ExpireTokensRequest {
  kind: 'component' | 'authorizer' | 'all';
  appId?: string;
}

export type CreateAuthorizerResult = AuthorizerView & { authCode?: string; expiresIn?: number; push?: PushRecord };

const SET_IDS = new Set(PERMISSION_SETS.map((s) => s.id));
const CONTROL_PUSH: readonly ControlPushMode[] = ['now', 'hold', 'none'];

/** What an account is called and whether it is verified; creating and updating read these alike. */
const PROFILE: FieldReaders<Pick<AuthorizerFields, 'nickName' | 'principalName' | 'serviceType' | 'verified' | 'verifyType'>> = {
  nickName: (i, k) => i.string(k, { max: 64 }),
  principalName: (i, k) => i.string(k, { max: 128 }),
  serviceType: (i, k) => i.int(k, 0, 2),
  verified: (i, k) => i.bool(k),
  // Reads as the effective type: given, or derived from the `verified` shorthand.
  verifyType: (i, k, read) => {
    const verifyType = i.int(k, -1, 5);
    if (read.verified !== undefined && verifyType !== undefined && read.verified !== (verifyType !== -1)) {
      throw new ControlError(400, 'verified and verifyType disagree');
    }
    return verifyType ?? (read.verified === undefined ? undefined : read.verified ? 0 : -1);
  },
};

const AUTHORIZER_FIELDS: FieldReaders<AuthorizerFields> = {
  appId: (i, k) => i.string(k, { pattern: APP_ID }),
  ...PROFILE,
  permissionSets: (i, k) => i.intArray(k, SET_IDS),
  followers: (i, k) => i.stringArray(k),
  followerCount: (i, k) => i.int(k, 0, 2_000_000),
};

const CREATE_AUTHORIZER: FieldReaders<CreateAuthorizerRequest> = {
  ...AUTHORIZER_FIELDS,
  authorize: (i, k) => i.bool(k),
  push: (i, k) => i.oneOf(k, CONTROL_PUSH),
};

const UPDATE_AUTHORIZER: FieldReaders<UpdateAuthorizerRequest> = {
  ...PROFILE,
  permissionSets: (i, k) => i.intArray(k, SET_IDS),
  defaultPermissionSets: (i, k) => i.intArray(k, SET_IDS),
  followers: (i, k) => i.stringArray(k),
  addFollowers: (i, k) => i.stringArray(k),
  removeFollowers: (i, k) => i.stringArray(k),
  addFollowerCount: (i, k) => i.int(k, 0, 2_000_000),
  blacklist: (i, k) => i.stringArray(k),
};

const NEXT_AUTHORIZATION: FieldReaders<NextAuthorizationRequest> = {
  ...AUTHORIZER_FIELDS,
  push: (i, k) => i.oneOf(k, PAGE_PUSH),
  pushDelayMs: (i, k) => i.int(k, 0, 600_000),
};

const REVOKE: FieldReaders<RevokeRequest> = { push: (i, k) => i.oneOf(k, CONTROL_PUSH) };

const REAUTHORIZE: FieldReaders<ReauthorizeRequest> = {
  permissionSets: (i, k) => i.intArray(k, SET_IDS),
  push: (i, k) => i.oneOf(k, CONTROL_PUSH),
};

const EXPIRE_TOKENS: FieldReaders<ExpireTokensRequest> = {
  kind: (i, k) => {
    const kind = i.oneOf(k, ['component', 'authorizer', 'all'] as const);
    return new Later(() => i.required(k, kind));
  },
  appId: (i, k) => i.string(k, { pattern: APP_ID }),
};

/** The simulated Official Accounts: create and change them, (re-)authorize or revoke, expire their tokens. */
export class AuthorizersControl {
  constructor(private readonly sim: SimCore) {}

  listAuthorizers(includeFollowers = false): AuthorizerView[] {
    return this.sim.state.authorizers.list().map((a) => authorizerView(a, { includeFollowers }));
  }

  getAuthorizer(appId: string, includeFollowers = true): AuthorizerView {
    return authorizerView(this.account(appId), { includeFollowers });
  }

  async createAuthorizer(body: unknown): Promise<CreateAuthorizerResult> {
    const { authorize, push, ...fields } = readRequest(body, CREATE_AUTHORIZER);
    if (push && !authorize) throw new ControlError(400, 'push only applies with authorize: true');
    const account = this.createAccount(fields);
    if (!authorize) return authorizerView(account);
    const result = await this.sim.authorize(account.appId, undefined, push ?? 'now');
    return { ...authorizerView(account), authCode: result.authCode, expiresIn: result.expiresIn, push: result.push };
  }

  updateAuthorizer(appId: string, body: unknown): AuthorizerView {
    const account = this.account(appId);
    const {
      nickName,
      principalName,
      serviceType,
      verifyType,
      permissionSets,
      defaultPermissionSets,
      followers,
      addFollowers,
      removeFollowers,
      addFollowerCount,
      blacklist,
    } = readRequest(body, UPDATE_AUTHORIZER);
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
    const { push = 'now' } = readRequest(body, REVOKE);
    if (account.authorization.status !== 'authorized') throw new ControlError(409, `${appId} is not authorized`);
    return { appId, push: await this.sim.revoke(appId, push) };
  }

  async reauthorize(appId: string, body: unknown): Promise<AuthorizeResult> {
    this.account(appId);
    const { permissionSets, push = 'now' } = readRequest(body, REAUTHORIZE);
    return this.sim.authorize(appId, permissionSets, push);
  }

  /** The next authorization page GET completes at once (302, no human) for this account. */
  setNextAuthorization(body: unknown) {
    const { push, pushDelayMs, ...fields } = readRequest(body, NEXT_AUTHORIZATION);
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
    const { kind, appId } = readRequest(body, EXPIRE_TOKENS);
    if (appId && kind === 'component') throw new ControlError(400, 'appId applies to authorizer tokens only');
    return { expired: this.sim.state.tokens.expire({ kind: kind === 'all' ? undefined : kind, appId }) };
  }

  private account(appId: string): AuthorizerAccount {
    const account = this.sim.state.authorizers.get(appId);
    if (!account) throw new ControlError(404, `no authorizer ${appId}`);
    return account;
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
