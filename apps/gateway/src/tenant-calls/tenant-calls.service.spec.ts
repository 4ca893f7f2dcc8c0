import { Logger } from '@nestjs/common';
import { apiPathRule, WeChatApiError, type WeChatForwardedReply, type WeChatHttp, WeChatTransportError } from '@app/wechat';
import type { AuthorizerTokensService } from '../authorizers/authorizer-tokens.service';
import type { GatewayConfig } from '../platform/config/gateway-config';
import type { TenantId } from '../tenants/tenant-id';
import { TenantNotActiveError } from '../tenants/tenant.errors';
import type { ApiGate } from './api-gate';
import type { QuotaBlocksService } from './quota-blocks.service';
import { TenantCallLimiter } from './tenant-call-limiter';
import {
  AccountNotVerifiedError,
  ApiUnauthorizedError,
  PermissionSetMissingError,
  QuotaExceededError,
} from './tenant-calls.errors';
import { type ReachedWeChat, TenantCallRun, TenantCalls } from './tenant-calls.service';

// The reaction table of TenantCalls, one case per WeChat error kind, for typed calls and for
// passthrough ones; the boundaries (gate's records, quota table, token service, HTTP) are stubs.

const T = 't' as TenantId;
const USER_INFO = 'cgi-bin/user/info';

function setup(opts: { gateError?: Error } = {}) {
  const blocks = new Map<string, Date>();
  const seen = { gate: 0, rereads: 0, tokenSaw: [] as unknown[], wechat: 0 };
  const gate = {
    assertAllowed: async () => {
      seen.gate++;
      if (opts.gateError) throw opts.gateError;
    },
    assertReady: async () => {
      seen.gate++;
      if (opts.gateError) throw opts.gateError;
    },
    permissionSetsAfterRefusal: async () => (seen.rereads++, [1, 15]),
  } as unknown as ApiGate;
  const quota = {
    blockedUntil: async (_t: string, api: string) => blocks.get(api),
    cachedBlockedUntil: (_t: string, api: string) => blocks.get(api),
    block: async (_t: string, api: string) => {
      const until = new Date(Date.now() + 60_000);
      blocks.set(api, until);
      return until;
    },
  } as unknown as QuotaBlocksService;
  // The token service's own reactions (refresh on token-invalid, end on revoked) are its spec's;
  // here it records what reached it, so the table shows TenantCalls leaves those kinds to it.
  const tokens = {
    callWithAccessToken: async <R>(_t: TenantId, fn: (token: string) => Promise<R>) => {
      try {
        return await fn('token');
      } catch (e) {
        seen.tokenSaw.push(e);
        if (e instanceof WeChatApiError && e.kind === 'revoked') throw new TenantNotActiveError('reauthorization_required');
        throw e;
      }
    },
  } as unknown as AuthorizerTokensService;
  const limiter = new TenantCallLimiter({
    blacklist: { concurrencyPerTenant: 4, callsPerSecondPerTenant: 10_000 },
  } as GatewayConfig);
  let replies: WeChatForwardedReply[] = [];
  const http = {
    forward: async () => (seen.wechat++, replies.shift()!),
  } as unknown as WeChatHttp;
  const calls = new TenantCalls(gate, quota, tokens, limiter, http);
  const reached: ReachedWeChat[] = [];
  const forward = (...answers: WeChatForwardedReply[]) => {
    replies = answers;
    return calls.forward(T, apiPathRule(USER_INFO)!, { method: 'GET', path: USER_INFO, query: 'openid=o1' }, async (r) => {
      reached.push(r);
    });
  };
  const failing = (errcode: number) => async () => {
    seen.wechat++;
    throw new WeChatApiError('getblacklist', errcode, 'refused');
  };
  return { calls, blocks, seen, forward, reached, failing };
}

const reply = (errcode: number): WeChatForwardedReply => ({
  httpStatus: 200,
  contentType: 'application/json',
  body: Buffer.from(JSON.stringify({ errcode, errmsg: 'x' })),
  errcode,
  error: errcode === 0 ? undefined : new WeChatApiError(USER_INFO, errcode, 'x'),
});

describe('TenantCalls', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

  describe('call(): the reaction to each error kind', () => {
    it('success: gate, quota, token, limiter, then the answer', async () => {
      const s = setup();
      await expect(s.calls.call(T, 'getblacklist', async (token) => `with ${token}`)).resolves.toBe('with token');
      expect(s.seen.gate).toBe(1);
    });

    it('quota-daily (45009): blocks the API, answers QUOTA_EXCEEDED, and the next call does not reach WeChat', async () => {
      const s = setup();
      const err = await s.calls.call(T, 'getblacklist', s.failing(45009)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QuotaExceededError);
      expect((err as QuotaExceededError).until).toEqual(s.blocks.get('getblacklist'));
      await expect(s.calls.call(T, 'getblacklist', s.failing(0))).rejects.toBeInstanceOf(QuotaExceededError);
      expect(s.seen.wechat).toBe(1);
    });

    it('set-missing (61007): re-reads the granted sets, then PERMISSION_SET_MISSING with required and granted', async () => {
      const s = setup();
      await expect(s.calls.call(T, 'getblacklist', s.failing(61007))).rejects.toMatchObject({
        constructor: PermissionSetMissingError,
        details: { required: [2, 100], granted: [1, 15] },
      });
      expect(s.seen.rereads).toBe(1);
    });

    it('set-missing within a run: the sets are re-read once for all its calls', async () => {
      const s = setup();
      const run = new TenantCallRun();
      const results = await Promise.allSettled([1, 2, 3].map(() => s.calls.call(T, 'getblacklist', s.failing(61007), run)));
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      expect(s.seen.rereads).toBe(1);
      expect(s.seen.gate).toBe(1);
    });

    it('api-unauthorized (48001): API_UNAUTHORIZED, WeChat’s error kept as its cause', async () => {
      const s = setup();
      const err = await s.calls.call(T, 'getblacklist', s.failing(48001)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiUnauthorizedError);
      expect((err as ApiUnauthorizedError).cause).toMatchObject({ errcode: 48001 });
    });

    it('token-invalid (40001): left to the token service, WeChat’s error comes back untouched', async () => {
      const s = setup();
      const err = await s.calls.call(T, 'getblacklist', s.failing(40001)).catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'token-invalid' });
      expect(s.seen.tokenSaw).toEqual([err]);
    });

    it('revoked (61023): left to the token service, which ends the authorization (TENANT_NOT_ACTIVE)', async () => {
      const s = setup();
      await expect(s.calls.call(T, 'getblacklist', s.failing(61023))).rejects.toBeInstanceOf(TenantNotActiveError);
      expect(s.seen.tokenSaw).toMatchObject([{ kind: 'revoked' }]);
    });

    it('any other kind, and transport errors: the library’s error, untouched, for the caller to name', async () => {
      const s = setup();
      await expect(s.calls.call(T, 'getblacklist', s.failing(40003))).rejects.toMatchObject({ kind: 'invalid-openid' });
      const down = new WeChatTransportError('getblacklist', 'timeout');
      await expect(
        s.calls.call(T, 'getblacklist', async () => {
          throw down;
        }),
      ).rejects.toBe(down);
    });

    it('a gate refusal or a block in force: WeChat is never called', async () => {
      const refused = setup({ gateError: new AccountNotVerifiedError() });
      await expect(refused.calls.call(T, 'getblacklist', refused.failing(0))).rejects.toBeInstanceOf(AccountNotVerifiedError);
      const blocked = setup();
      blocked.blocks.set('getblacklist', new Date(Date.now() + 60_000));
      await expect(blocked.calls.call(T, 'getblacklist', blocked.failing(0))).rejects.toBeInstanceOf(QuotaExceededError);
      expect(refused.seen.wechat + blocked.seen.wechat).toBe(0);
    });

    it('admit: the gate once per run (its calls skip it) and the shared block returned, not thrown', async () => {
      const s = setup();
      const run = new TenantCallRun();
      expect(await s.calls.admit(T, 'batchblacklist', run)).toBeUndefined();
      await s.calls.call(T, 'batchblacklist', async () => undefined, run);
      expect(s.seen.gate).toBe(1);
      const until = new Date(Date.now() + 60_000);
      s.blocks.set('batchblacklist', until);
      expect(await s.calls.admit(T, 'batchblacklist')).toBe(until);
    });
  });

  describe('forward(): the same table for a passthrough reply', () => {
    it('success: WeChat’s reply as it is, reported once as reached', async () => {
      const s = setup();
      const ok = reply(0);
      await expect(s.forward(ok)).resolves.toBe(ok);
      expect(s.reached).toMatchObject([{ errcode: 0 }]);
    });

    it('quota-daily: blocks the path’s quota key, answers QUOTA_EXCEEDED, then refuses before WeChat', async () => {
      const s = setup();
      await expect(s.forward(reply(45009))).rejects.toBeInstanceOf(QuotaExceededError);
      expect(s.blocks.has(USER_INFO)).toBe(true);
      await expect(s.forward(reply(0))).rejects.toBeInstanceOf(QuotaExceededError);
      expect(s.seen.wechat).toBe(1);
      expect(s.reached).toMatchObject([{ errcode: 45009 }]);
    });

    it('set-missing: re-reads the sets, PERMISSION_SET_MISSING with the path’s sets', async () => {
      const s = setup();
      await expect(s.forward(reply(61007))).rejects.toMatchObject({
        constructor: PermissionSetMissingError,
        details: { required: [2], granted: [1, 15] },
      });
      expect(s.seen.rereads).toBe(1);
    });

    it('api-unauthorized: a passthrough hands WeChat’s refusal on verbatim', async () => {
      const s = setup();
      const refusal = reply(48001);
      await expect(s.forward(refusal)).resolves.toBe(refusal);
    });

    it('token-invalid: handed to the token service; still rejected after its retry, the reply verbatim', async () => {
      const s = setup();
      const rejected = reply(40001);
      await expect(s.forward(rejected)).resolves.toBe(rejected);
      expect(s.seen.tokenSaw).toEqual([rejected.error]);
    });

    it('revoked: handed to the token service, which ends the authorization; the call is still reported', async () => {
      const s = setup();
      await expect(s.forward(reply(61023))).rejects.toBeInstanceOf(TenantNotActiveError);
      expect(s.reached).toMatchObject([{ errcode: 61023 }]);
    });

    it('any other errcode: WeChat’s reply verbatim', async () => {
      const s = setup();
      const busy = reply(-1);
      await expect(s.forward(busy)).resolves.toBe(busy);
    });
  });
});
