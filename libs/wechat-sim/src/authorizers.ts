import { createHash } from 'node:crypto';
import { DEFAULT_GRANTED_SETS } from './api-names';
import { newAuthorizerAppId, randomHex } from './ids';

export type AuthorizationStatus = 'never' | 'authorized' | 'revoked';

/** A simulated Official Account and its standing with our one component. */
export interface AuthorizerAccount {
  appId: string;
  nickName: string;
  principalName: string;
  userName: string;
  headImg: string;
  /** 0 subscription, 1 upgraded subscription, 2 service account. */
  serviceType: number;
  /** -1 = not verified; 0 = verified (WeChat verification); other ids are other verification kinds. */
  verifyType: number;
  /** Insertion-ordered follower openids. */
  followers: Set<string>;
  blacklist: Set<string>;
  /** Sets the authorization page ticks by default for this account. */
  defaultPermissionSets: number[];
  authorization: {
    status: AuthorizationStatus;
    permissionSets: number[];
    /** The only refresh token that works; replaced on re-authorization (the old one then gets 61023). */
    refreshToken?: string;
    /** Unix seconds. */
    authTime?: number;
    /** Bumped by every (re-)authorization and revocation; auth codes of older generations are void. */
    generation: number;
  };
  /** Sorted blacklist cache for paging; cleared on every blacklist change. */
  sortedBlacklistCache?: string[];
}

export interface CreateAuthorizerInput {
  appId?: string;
  nickName?: string;
  principalName?: string;
  serviceType?: number;
  verifyType?: number;
  permissionSets?: number[];
  followers?: string[];
  followerCount?: number;
}

/** Follower openids are unique per account: the prefix derives from the appid, the suffix sorts numerically. */
export function generatedOpenId(appId: string, index: number): string {
  const tag = createHash('sha1').update(appId).digest('base64url').slice(0, 10);
  return `o${tag}_${String(index).padStart(8, '0')}`;
}

export class AuthorizerStore {
  private readonly accounts = new Map<string, AuthorizerAccount>();

  create(input: CreateAuthorizerInput): AuthorizerAccount {
    const appId = input.appId ?? newAuthorizerAppId();
    if (this.accounts.has(appId)) throw new Error(`authorizer ${appId} already exists`);
    const account: AuthorizerAccount = {
      appId,
      nickName: input.nickName ?? `Sim OA ${appId.slice(-6)}`,
      principalName: input.principalName ?? `Sim Merchant ${appId.slice(-6)} Co., Ltd.`,
      userName: `gh_${randomHex(6)}`,
      headImg: `http://wx.qlogo.cn/mmopen/sim-${appId}/0`,
      serviceType: input.serviceType ?? 2,
      verifyType: input.verifyType ?? 0,
      followers: new Set(input.followers ?? []),
      blacklist: new Set(),
      defaultPermissionSets: [...(input.permissionSets ?? DEFAULT_GRANTED_SETS)],
      authorization: { status: 'never', permissionSets: [], generation: 0 },
    };
    this.addGeneratedFollowers(account, input.followerCount ?? 0);
    this.accounts.set(appId, account);
    return account;
  }

  addGeneratedFollowers(account: AuthorizerAccount, count: number): void {
    let index = 0;
    for (let added = 0; added < count; index++) {
      const openid = generatedOpenId(account.appId, index);
      if (!account.followers.has(openid)) {
        account.followers.add(openid);
        added++;
      }
    }
  }

  get(appId: string | undefined): AuthorizerAccount | undefined {
    return appId ? this.accounts.get(appId) : undefined;
  }

  has(appId: string): boolean {
    return this.accounts.has(appId);
  }

  list(): AuthorizerAccount[] {
    return [...this.accounts.values()];
  }

  /** Whether an openid belongs to this account: followers and users still on its blacklist both do. */
  knowsOpenId(account: AuthorizerAccount, openid: string): boolean {
    return account.followers.has(openid) || account.blacklist.has(openid);
  }

  sortedBlacklist(account: AuthorizerAccount): string[] {
    account.sortedBlacklistCache ??= [...account.blacklist].sort();
    return account.sortedBlacklistCache;
  }

  clear(): void {
    this.accounts.clear();
  }

  /** Puts accounts back as they were saved (replacing any with the same appid). */
  load(accounts: AuthorizerAccount[]): void {
    for (const a of accounts) this.accounts.set(a.appId, a);
  }
}

/** The control API's view of an account: no tokens, no refresh token. */
export function authorizerView(account: AuthorizerAccount, opts: { includeFollowers?: boolean } = {}) {
  return {
    appId: account.appId,
    nickName: account.nickName,
    principalName: account.principalName,
    userName: account.userName,
    headImg: account.headImg,
    serviceType: account.serviceType,
    verifyType: account.verifyType,
    verified: account.verifyType !== -1,
    defaultPermissionSets: account.defaultPermissionSets,
    authorization: {
      status: account.authorization.status,
      permissionSets: account.authorization.permissionSets,
      authTime: account.authorization.authTime ?? null,
    },
    followerCount: account.followers.size,
    ...(opts.includeFollowers === false ? {} : { followers: [...account.followers] }),
    blacklist: [...account.blacklist].sort(),
  };
}

export type AuthorizerView = ReturnType<typeof authorizerView>;
