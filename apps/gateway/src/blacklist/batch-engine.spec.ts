import { Logger } from '@nestjs/common';
import { BlacklistApi, WeChatApiError, WeChatTransportError } from '@app/wechat';
import type { AuthorizerTokensService } from '../authorizers/authorizer-tokens.service';
import type { GatewayConfig } from '../platform/config/gateway-config';
import type { TenantId } from '../tenants/tenant-id';
import type { ApiGate } from '../tenant-calls/api-gate';
import type { QuotaBlocksService } from '../tenant-calls/quota-blocks.service';
import { TenantCallLimiter } from '../tenant-calls/tenant-call-limiter';
import { TenantCalls } from '../tenant-calls/tenant-calls.service';
import { type BatchAnswer, BatchRun, BlacklistBatchEngine } from './batch-engine';

const T = 't' as TenantId;

/** A WeChat stand-in at the module boundary: rejects a batch with 40003 if it holds a bad openid. */
function fakeWeChat(bad: Set<string>, override?: (ids: readonly string[], n: number) => Error | undefined) {
  const calls: string[][] = [];
  const api = {
    batchblacklist: async (_token: string, ids: readonly string[]) => {
      calls.push([...ids]);
      const forced = override?.(ids, calls.length);
      if (forced) throw forced;
      if (ids.some((i) => bad.has(i))) throw new WeChatApiError('batchblacklist', 40003, 'invalid openid');
    },
  } as unknown as BlacklistApi;
  return { api, calls };
}

function engine(api: BlacklistApi, opts: { refresh?: () => Promise<{ verified: boolean; permissionSets: number[] }> } = {}) {
  const blocks = new Map<string, Date>();
  const authorizers = {
    callWithAccessToken: <T>(_t: string, fn: (token: string) => Promise<T>) => fn('token'),
  } as unknown as AuthorizerTokensService;
  const refresh = opts.refresh ?? (async () => ({ verified: true, permissionSets: [1] }));
  const gate = {
    assertAllowed: async () => undefined,
    permissionSetsAfterRefusal: async () => (await refresh()).permissionSets,
  } as unknown as ApiGate;
  const quota = {
    cachedBlockedUntil: (t: string, a: string) => blocks.get(`${t}|${a}`),
    block: async (t: string, a: string) => {
      const until = new Date(Date.now() + 60_000);
      blocks.set(`${t}|${a}`, until);
      return until;
    },
  } as unknown as QuotaBlocksService;
  const limiter = new TenantCallLimiter({
    blacklist: { concurrencyPerTenant: 4, callsPerSecondPerTenant: 10_000 },
  } as GatewayConfig);
  // The real TenantCalls over stubbed boundaries: its reactions are what stop a run.
  return new BlacklistBatchEngine(new TenantCalls(gate, quota, authorizers, limiter, undefined as never), api);
}

const ids = (n: number, prefix = 'o') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

async function send(e: BlacklistBatchEngine, run: BatchRun, openids: string[]) {
  const answers: BatchAnswer[] = [];
  const unsent = await e.sendBatch(run, openids, async (a) => void answers.push(a));
  const by = (o: BatchAnswer['outcome']) =>
    answers
      .filter((a) => a.outcome === o)
      .flatMap((a) => a.openids)
      .sort();
  return {
    unsent,
    answers,
    succeeded: by('succeeded'),
    invalid: by('invalid'),
    failed: answers.filter((a) => a.outcome === 'failed'),
  };
}

describe('BlacklistBatchEngine', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

  it('one bad openid in 20: halves are retried until only it is left; the 19 others succeed', async () => {
    const batch = ids(20);
    const w = fakeWeChat(new Set(['o13']));
    const r = await send(engine(w.api), new BatchRun(T, 'block'), batch);
    expect(r.invalid).toEqual(['o13']);
    expect(r.succeeded).toEqual(batch.filter((o) => o !== 'o13').sort());
    expect(r.unsent).toEqual([]);
    // 1 + 2 per level down to the bad one: log2(20) rounded up levels.
    expect(w.calls.length).toBeLessThanOrEqual(1 + 2 * 5);
    // Every valid openid went out in exactly one accepted call.
    const accepted = w.calls.filter((c) => !c.includes('o13')).flat();
    expect(accepted.sort()).toEqual(r.succeeded);
  });

  it('all bad: every openid ends invalid; a single openid is never split', async () => {
    const batch = ids(5, 'x');
    const r = await send(engine(fakeWeChat(new Set(batch)).api), new BatchRun(T, 'block'), batch);
    expect(r.invalid).toEqual([...batch].sort());
    expect(r.succeeded).toEqual([]);
  });

  it('49003 is treated like 40003', async () => {
    const w = fakeWeChat(new Set(), (list) =>
      list.includes('o1') ? new WeChatApiError('batchblacklist', 49003, 'not yours') : undefined,
    );
    const r = await send(engine(w.api), new BatchRun(T, 'block'), ids(4));
    expect(r.invalid).toEqual(['o1']);
    expect(r.succeeded).toEqual(['o0', 'o2', 'o3']);
  });

  it('45009: the run stops, the answered batch and everything after it are unsent (never failed here)', async () => {
    const w = fakeWeChat(new Set(), () => new WeChatApiError('batchblacklist', 45009, 'quota'));
    const e = engine(w.api);
    const run = new BatchRun(T, 'block');
    const r = await send(e, run, ids(20));
    expect(r.unsent).toHaveLength(20);
    expect(run.stop).toMatchObject({ kind: 'quota', api: 'batchblacklist' });
    const again = await send(e, new BatchRun(T, 'block'), ids(3, 'y'));
    expect(again.unsent).toHaveLength(3);
    expect(w.calls).toHaveLength(1);
  });

  it('61007: authorizer info re-read once per run, batch failed PERMISSION_SET_MISSING, run stopped', async () => {
    let refreshed = 0;
    const w = fakeWeChat(new Set(), () => new WeChatApiError('batchblacklist', 61007, 'no permission'));
    const run = new BatchRun(T, 'block');
    const e = engine(w.api, { refresh: async () => (refreshed++, { verified: true, permissionSets: [1, 15] }) });
    const [a, b] = await Promise.all([send(e, run, ids(20, 'a')), send(e, run, ids(20, 'b'))]);
    expect(refreshed).toBe(1);
    expect(run.stop).toEqual({ kind: 'permission', required: [2, 100], granted: [1, 15] });
    for (const r of [a, b]) {
      const codes = r.failed.map((f) => f.code);
      expect(codes.every((c) => c === 'PERMISSION_SET_MISSING')).toBe(true);
    }
  });

  it('48001 → API_UNAUTHORIZED; transport errors → WECHAT_UNAVAILABLE; each batch on its own', async () => {
    const w = fakeWeChat(new Set(), (list) =>
      list[0] === 'a0'
        ? new WeChatApiError('batchblacklist', 48001, 'unauthorized')
        : new WeChatTransportError('batchblacklist', 'timeout'),
    );
    const e = engine(w.api);
    const r1 = await send(e, new BatchRun(T, 'block'), ids(2, 'a'));
    const r2 = await send(e, new BatchRun(T, 'block'), ids(2, 'b'));
    expect(r1.failed.map((f) => f.code)).toEqual(['API_UNAUTHORIZED']);
    expect(r2.failed.map((f) => f.code)).toEqual(['WECHAT_UNAVAILABLE']);
    expect(w.calls).toHaveLength(2);
  });

  it('refuses more than 20 openids', async () => {
    await expect(
      engine(fakeWeChat(new Set()).api).sendBatch(new BatchRun(T, 'block'), ids(21), async () => undefined),
    ).rejects.toThrow();
  });
});
