// Helpers for the blacklist suites (not a test file itself).
import type { CallLogEntry, WeChatSimulator } from '@app/wechat-sim';
import request from 'supertest';
import { bearer } from './onboarding';

export { bearer };
export const BATCH_BLOCK = 'tags/members/batchblacklist';
export const BATCH_UNBLOCK = 'tags/members/batchunblacklist';
export const GET_BLACKLIST = 'tags/members/getblacklist';

export function blacklistCalls(sim: WeChatSimulator, appId: string, since = 0): CallLogEntry[] {
  return sim.calls({ appId, since }).filter((c) => c.api.startsWith('tags/members/'));
}

export function openidsOf(call: CallLogEntry): string[] {
  return ((call.body as { openid_list?: string[] } | null)?.openid_list ?? []) as string[];
}

/** Openids of every call WeChat applied (errcode 0), with repetitions. */
export function appliedOpenids(sim: WeChatSimulator, api: string, appId: string, since = 0): string[] {
  return sim
    .calls({ api, appId, since })
    .filter((c) => c.errcode === 0)
    .flatMap(openidsOf);
}

export function lastSeq(sim: WeChatSimulator): number {
  const all = sim.calls();
  return all.length ? all[all.length - 1].seq : 0;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls GET job until `done(job)` holds; returns every state seen. */
export async function waitForJob(
  url: string,
  key: string,
  tenantId: string,
  jobId: string,
  done: (job: Record<string, any>) => boolean = (j) => j.finishedAt !== null,
  timeoutMs = 30_000,
): Promise<{ job: Record<string, any>; seen: Record<string, any>[] }> {
  const until = Date.now() + timeoutMs;
  const seen: Record<string, any>[] = [];
  for (;;) {
    const res = await request(url).get(`/v1/tenants/${tenantId}/blacklist/jobs/${jobId}`).set(bearer(key));
    if (res.status !== 200) throw new Error(`GET job answered ${res.status}: ${JSON.stringify(res.body)}`);
    seen.push(res.body);
    if (done(res.body)) return { job: res.body, seen };
    if (Date.now() > until) throw new Error(`job did not reach the expected state: ${JSON.stringify(res.body)}`);
    await sleep(100);
  }
}

/** Every item of a job, following cursors. */
export async function allItems(url: string, key: string, tenantId: string, jobId: string, outcome?: string, limit = 1000) {
  const items: { openid: string; outcome: string; code: string | null; message: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const q: URLSearchParams = new URLSearchParams({
      limit: String(limit),
      ...(outcome ? { outcome } : {}),
      ...(cursor ? { cursor } : {}),
    });
    const res: request.Response = await request(url)
      .get(`/v1/tenants/${tenantId}/blacklist/jobs/${jobId}/items?${q}`)
      .set(bearer(key))
      .expect(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

/** Openids WeChat will reject (not followers of any account). */
export function strangers(n: number, prefix = 'stranger'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}_${String(i).padStart(5, '0')}`);
}
