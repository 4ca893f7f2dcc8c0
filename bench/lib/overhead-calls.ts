import { allBlocked, BLOCK_BATCH } from './block-call';
import type { Gateway, Simulator } from './env';
import { type LoadSpec, openidWindows } from './load';
import type { OnboardedTenant } from './tenants';

/**
 * The calls the overhead scenario measures, each on the legs it has: straight to the simulator
 * (`direct`, where WeChat has the same call), through the minimal proxy (minimal-proxy.ts: the
 * least a Node process can do for the same answer) and through the gateway.
 */
export type Leg = 'direct' | 'proxy' | 'gateway';
export type CallKind = 'block' | 'send' | 'get';

export interface OverheadCall {
  kind: CallKind;
  /** How the table names the call. */
  name: string;
  /** Prefix of the metric keys ('' for block, whose keys predate the other calls). */
  keyPrefix: string;
  legs: Leg[];
  /** The leg the gateway's added latency is measured against: WeChat itself, or the proxy when the call has no WeChat side. */
  latencyBaseline: Leg;
  /** The simulator API whose daily usage counts the WeChat calls (each successful call reaches WeChat exactly once). */
  wechatApi?: string;
  spec(leg: Leg): Omit<LoadSpec, 'connections'>;
}

export interface OverheadTargets {
  gw: Gateway;
  sim: Simulator;
  proxyUrl: string;
  tenant: OnboardedTenant;
  token: string;
  openids: string[];
}

const ok = (b: string) => b.startsWith('{"errcode":0,');

/** 20-openid `block` calls (warm tokens): the gateway's own route on top of batchblacklist. */
function blockCall(t: OverheadTargets): OverheadCall {
  const windows = {
    direct: openidWindows(t.openids, BLOCK_BATCH),
    proxy: openidWindows(t.openids, BLOCK_BATCH),
    gateway: openidWindows(t.openids, BLOCK_BATCH),
  };
  return {
    kind: 'block',
    name: 'block',
    keyPrefix: '',
    legs: ['direct', 'proxy', 'gateway'],
    latencyBaseline: 'direct',
    wechatApi: 'tags/members/batchblacklist',
    spec: (leg) =>
      leg === 'direct'
        ? {
            url: `${t.sim.url}/cgi-bin/tags/members/batchblacklist?access_token=${encodeURIComponent(t.token)}`,
            body: () => JSON.stringify({ openid_list: windows.direct() }),
            verify: ok,
          }
        : leg === 'proxy'
          ? { url: `${t.proxyUrl}/block`, body: () => JSON.stringify({ openids: windows.proxy() }), verify: allBlocked }
          : {
              url: `${t.gw.url}/v1/tenants/${t.tenant.id}/blacklist/block`,
              headers: { authorization: `Bearer ${t.tenant.apiKey}` },
              body: () => JSON.stringify({ openids: windows.gateway() }),
              verify: allBlocked,
            },
  };
}

/** A customer-service text message through the WeChat proxy route, to a different follower each time. */
function sendCall(t: OverheadTargets): OverheadCall {
  const path = 'cgi-bin/message/custom/send';
  const windows = {
    direct: openidWindows(t.openids, 1),
    proxy: openidWindows(t.openids, 1),
    gateway: openidWindows(t.openids, 1),
  };
  const body = (leg: Leg) => () =>
    JSON.stringify({ touser: windows[leg]()[0], msgtype: 'text', text: { content: 'Your order has shipped.' } });
  return {
    kind: 'send',
    name: 'proxied custom/send',
    keyPrefix: 'send_',
    legs: ['direct', 'proxy', 'gateway'],
    latencyBaseline: 'direct',
    wechatApi: 'message/custom/send',
    spec: (leg) => ({
      url:
        leg === 'direct'
          ? `${t.sim.url}/${path}?access_token=${encodeURIComponent(t.token)}`
          : leg === 'proxy'
            ? `${t.proxyUrl}/wechat/${path}`
            : `${t.gw.url}/v1/tenants/${t.tenant.id}/wechat/${path}`,
      ...(leg === 'gateway' ? { headers: { authorization: `Bearer ${t.tenant.apiKey}` } } : {}),
      body: body(leg),
      verify: ok,
    }),
  };
}

/** `GET /v1/tenants/:id` with the tenant's key; the proxy answers the same JSON from memory. */
function getCall(t: OverheadTargets): OverheadCall {
  return {
    kind: 'get',
    name: 'GET tenant',
    keyPrefix: 'get_',
    legs: ['proxy', 'gateway'],
    latencyBaseline: 'proxy',
    spec: (leg) =>
      leg === 'gateway'
        ? {
            url: `${t.gw.url}/v1/tenants/${t.tenant.id}`,
            method: 'GET',
            headers: { authorization: `Bearer ${t.tenant.apiKey}` },
            verify: (b) => b.includes('"status":"active"'),
          }
        : { url: `${t.proxyUrl}/v1/tenants/${t.tenant.id}`, method: 'GET', verify: (b) => b.includes('"status":"active"') },
  };
}

export function overheadCalls(t: OverheadTargets): OverheadCall[] {
  return [blockCall(t), sendCall(t), getCall(t)];
}

/** Daily quota lifted for every API the calls use, and a call log that holds a whole run. */
export const OVERHEAD_SIM_OPTIONS = {
  dailyQuota: { 'tags/members/batchblacklist': 1_000_000_000, 'message/custom/send': 1_000_000_000 },
  callLogLimit: 10_000_000,
};
