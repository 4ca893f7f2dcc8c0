// Helpers for the web-authorization and JS-SDK suites (not a test file itself).
import request from 'supertest';
import type { Harness } from './gateway-harness';
import { bearer } from './onboarding';

/** The origin the tenants of these suites allow (no server listens there: redirects are read, not followed). */
export const H5_ORIGIN = 'https://h5.merchant.example';

export async function allowOrigins(h: Harness, tenantId: string, origins: string[] = [H5_ORIGIN]) {
  return request(h.url)
    .patch(`/v1/tenants/${tenantId}`)
    .set(bearer(h.operatorKey))
    .send({ webOAuthOrigins: origins })
    .expect(200);
}

export async function createTokenKey(h: Harness, tenantId: string): Promise<string> {
  const res = await request(h.url)
    .post(`/v1/tenants/${tenantId}/token-keys`)
    .set(bearer(h.operatorKey))
    .send({ name: 'h5' })
    .expect(201);
  return res.body.apiKey;
}

/** GET that does not follow redirects; `json` asks for the error JSON instead of a page. */
export async function open(url: string, opts: { json?: boolean; lang?: string } = {}) {
  const headers: Record<string, string> = { Accept: opts.json ? 'application/json' : 'text/html' };
  if (opts.lang) headers['Accept-Language'] = opts.lang;
  const res = await fetch(url, { redirect: 'manual', headers });
  return { status: res.status, location: res.headers.get('location'), headers: res.headers, body: await res.text() };
}

export function authorizeUrl(h: Harness, tenantId: string, q: Record<string, string>): string {
  return `${h.url}/web-oauth/${tenantId}/authorize?${new URLSearchParams(q)}`;
}

/**
 * At the simulator's page (what a follower's WeChat shows): `decision` as the follower presses it,
 * for `openid`. Returns where WeChat sends the browser (our callback, with code/state/appid).
 */
export async function decideAtWeChat(weChatUrl: string, openid: string, decision: 'allow' | 'refuse' = 'allow'): Promise<string> {
  const url = new URL(weChatUrl);
  const page = await fetch(url.href.split('#')[0]);
  if (page.status !== 200) throw new Error(`WeChat page answered ${page.status}: ${(await page.text()).slice(0, 300)}`);
  const form = new URLSearchParams(url.searchParams);
  form.set('openid', openid);
  form.set('decision', decision);
  const res = await fetch(`${url.origin}/connect/oauth2/authorize/confirm`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location)
    throw new Error(`WeChat confirm answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return location;
}

/** The whole hosted flow up to the returnUrl redirect; returns that URL's parameters. */
export async function runFlow(
  h: Harness,
  tenantId: string,
  openid: string,
  q: { scope: string; returnUrl?: string; state?: string },
  decision: 'allow' | 'refuse' = 'allow',
): Promise<URLSearchParams> {
  const start = await open(authorizeUrl(h, tenantId, { returnUrl: `${H5_ORIGIN}/member`, ...q }));
  if (start.status !== 302) throw new Error(`authorize answered ${start.status}: ${start.body.slice(0, 300)}`);
  const callback = await decideAtWeChat(start.location!, openid, decision);
  const back = await open(callback);
  if (back.status !== 302) throw new Error(`callback answered ${back.status}: ${back.body.slice(0, 300)}`);
  return new URL(back.location!).searchParams;
}

export function redeem(h: Harness, tenantId: string, ticket: string, key = h.operatorKey) {
  return request(h.url).post(`/v1/tenants/${tenantId}/web-oauth/redemptions`).set(bearer(key)).send({ ticket });
}
