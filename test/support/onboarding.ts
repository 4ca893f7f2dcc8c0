// Helpers shared by the onboarding, component and browser suites (not a test file itself).
import { WeChatMessageCrypto, buildWeChatXml } from '@app/wechat';
import type { AuthorizationPushMode } from '@app/wechat-sim';
import request from 'supertest';
import type { Harness } from './gateway-harness';

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

export async function createTenant(h: Harness, name = 'Merchant', externalId?: string): Promise<{ id: string; apiKey: string }> {
  const res = await request(h.url)
    .post('/v1/tenants')
    .set(bearer(h.operatorKey))
    .send({ name, ...(externalId ? { externalId } : {}) })
    .expect(201);
  return { id: res.body.id, apiKey: res.body.apiKey };
}

export async function startSession(
  h: Harness,
  tenantId: string,
  body: object = {},
  key = h.operatorKey,
): Promise<{ id: string; onboardingUrl: string; expiresAt: string }> {
  const res = await request(h.url).post(`/v1/tenants/${tenantId}/authorization-sessions`).set(bearer(key)).send(body).expect(201);
  return res.body;
}

export function decodeEntities(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The href of `<a id="...">` on a page. */
export function linkHref(html: string, id: string): string {
  const m =
    new RegExp(`<a[^>]*\\bid="${id}"[^>]*\\bhref="([^"]*)"`).exec(html) ??
    new RegExp(`<a[^>]*\\bhref="([^"]*)"[^>]*\\bid="${id}"`).exec(html);
  if (!m) throw new Error(`no <a id="${id}"> on the page`);
  return decodeEntities(m[1]);
}

/** `acceptLanguage` is sent as Accept-Language (pages speak Chinese unless asked otherwise). */
export async function fetchPage(
  url: string,
  acceptLanguage?: string,
): Promise<{ status: number; html: string; headers: Headers }> {
  const res = await fetch(url, { redirect: 'manual', headers: acceptLanguage ? { 'Accept-Language': acceptLanguage } : {} });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

/** Which account authorizes at the simulator, and how WeChat pushes. */
export interface AuthorizeOptions {
  appId?: string;
  push?: AuthorizationPushMode;
  permissionSets?: number[];
  verified?: boolean;
  nickName?: string;
  /** Accept-Language of the merchant's browser, for the onboarding page and the callback. */
  acceptLanguage?: string;
}

/**
 * Drives a whole authorization without a browser: the simulator is told which account
 * authorizes (and when it pushes), the onboarding page is opened, its PC link followed to
 * the simulator, whose redirect is followed to our callback. Returns the callback response.
 */
export async function authorizeThroughPage(
  h: Harness,
  onboardingUrl: string,
  opts: AuthorizeOptions = {},
): Promise<{ status: number; html: string; location: string | null; callbackUrl: string; appId: string }> {
  const { appId, callbackUrl } = await authorizeAtWeChat(h, onboardingUrl, opts);
  const cb = await fetch(callbackUrl, {
    redirect: 'manual',
    headers: opts.acceptLanguage ? { 'Accept-Language': opts.acceptLanguage } : {},
  });
  return { status: cb.status, html: await cb.text(), location: cb.headers.get('location'), callbackUrl, appId };
}

/**
 * The first half of authorizeThroughPage: the onboarding page, its PC link, and the simulator's
 * authorization (which grants, and pushes as asked); returns the callback URL WeChat redirects to,
 * not yet followed.
 */
export async function authorizeAtWeChat(
  h: Harness,
  onboardingUrl: string,
  opts: AuthorizeOptions = {},
): Promise<{ callbackUrl: string; appId: string }> {
  const { appId } = h.sim.setNextAuthorization({
    push: opts.push ?? 'after',
    ...(opts.appId ? { appId: opts.appId } : {}),
    ...(opts.permissionSets ? { permissionSets: opts.permissionSets } : {}),
    ...(opts.verified !== undefined ? { verified: opts.verified } : {}),
    ...(opts.nickName ? { nickName: opts.nickName } : {}),
  });
  const page = await fetchPage(onboardingUrl, opts.acceptLanguage);
  if (page.status !== 200) throw new Error(`onboarding page answered ${page.status}: ${page.html.slice(0, 300)}`);
  const atWeChat = await fetch(linkHref(page.html, 'authorize-pc'), { redirect: 'manual' });
  const callbackUrl = atWeChat.headers.get('location');
  if (atWeChat.status !== 302 || !callbackUrl)
    throw new Error(`simulator answered ${atWeChat.status}: ${(await atWeChat.text()).slice(0, 300)}`);
  return { callbackUrl, appId };
}

/** Waits until every push the simulator sent so far got its answer (pushes 'after' the redirect are asynchronous). */
export async function settlePushes(h: Harness, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const pending = h.sim
      .pushes()
      .filter((p) => p.state !== 'delivered' && p.state !== 'failed' && p.state !== 'held' && p.state !== 'suppressed');
    const unanswered = h.sim.pushes().filter((p) => p.state === 'delivered' && p.httpStatus === undefined);
    if (pending.length === 0 && unanswered.length === 0) return;
    if (Date.now() > until) throw new Error('pushes did not settle');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Polls until `check` passes (for effects of asynchronous pushes). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Builds a push exactly as WeChat would, with this harness's component identity. */
export function craftPush(
  h: Harness,
  fields: Record<string, string | number>,
  opts: { timestamp?: number; nonce?: string; encodingAESKey?: string; appId?: string; token?: string } = {},
): { path: string; body: string; query: Record<string, string> } {
  const crypto = new WeChatMessageCrypto({
    token: opts.token ?? h.config.wechat.componentToken,
    encodingAESKey: opts.encodingAESKey ?? h.config.wechat.encodingAESKey,
    appId: opts.appId ?? h.config.wechat.componentAppId,
  });
  const message = buildWeChatXml({
    AppId: opts.appId ?? h.config.wechat.componentAppId,
    ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)])),
  });
  const push = crypto.encryptPush(message, String(opts.timestamp ?? Math.floor(Date.now() / 1000)), opts.nonce);
  const query = { ...push.query };
  return { path: `/wechat/component/events?${new URLSearchParams(query).toString()}`, body: push.body, query };
}

export function sendPush(h: Harness, push: { path: string; body: string }) {
  return request(h.url).post(push.path).set('Content-Type', 'text/xml').send(push.body);
}

export async function tenantView(h: Harness, tenantId: string) {
  return (await request(h.url).get(`/v1/tenants/${tenantId}`).set(bearer(h.operatorKey)).expect(200)).body;
}

export function callsTo(h: Harness, api: string, since = 0) {
  return h.sim.calls({ api: `component/${api}`, since });
}

/**
 * Reads (or, to simulate time passing, writes) the gateway's own database. Deliberately raw
 * SQL, not the gateway's repositories: what is at rest (ciphertext, statuses, expiry times) is
 * checked by an oracle that shares no code with what it checks.
 */
export async function sql<T = Record<string, unknown>>(h: Harness, text: string, params: unknown[] = []): Promise<T[]> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: h.databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export interface OnboardOptions {
  name?: string;
  push?: AuthorizationPushMode;
  permissionSets?: number[];
  verified?: boolean;
  appId?: string;
  /** The account's followers: a number of generated openids, or explicit ones (default none). */
  followers?: number | string[];
}

export interface OnboardedTenant {
  id: string;
  apiKey: string;
  appId: string;
  /** The account's followers: openids batchblacklist accepts for this tenant. */
  followers: string[];
}

/**
 * Creates a tenant and completes its onboarding through the real flow (a verify ticket first if
 * none was acknowledged yet, then the gateway's page, the simulator's authorization page and the
 * callback); returns the bound appid and the account's followers.
 */
export async function onboardTenant(h: Harness, opts: OnboardOptions = {}): Promise<OnboardedTenant> {
  if (!h.sim.pushes().some((p) => p.infoType === 'component_verify_ticket' && p.acknowledged)) await h.sim.pushTicket();
  const { followers: wanted = 0, ...flow } = opts;
  const t = await createTenant(h, opts.name ?? 'Onboarded');
  const s = await startSession(h, t.id);
  const cb = await authorizeThroughPage(h, s.onboardingUrl, { ...flow, push: opts.push ?? 'before' });
  if (cb.status !== 200) throw new Error(`callback answered ${cb.status}`);
  await settlePushes(h);
  const view =
    typeof wanted === 'number'
      ? h.sim.updateAuthorizer(cb.appId, { followers: [], addFollowerCount: wanted })
      : h.sim.updateAuthorizer(cb.appId, { followers: wanted });
  return { ...t, appId: cb.appId, followers: [...(view.followers ?? [])] };
}
