import { API_NAMES, type ApiName } from '../api-names';
import type { CallFilter, CallLogEntry } from '../call-log';
import type { SimCore } from '../core';
import { ControlError } from '../errors';
import type { Fault, FaultInput } from '../faults';
import { APP_ID, type FieldReaders, Input, Later, readRequest } from './input';

// QuotaRequest is parsed by QUOTA (a FieldReaders<QuotaRequest>), so the compiler keeps the two in step.
export interface QuotaRequest {
  /** An API name, or '*' for all. */
  api: ApiName | '*';
  daily?: number;
  perMinute?: number;
  appId?: string;
}

const QUOTA: FieldReaders<QuotaRequest> = {
  api: (i, k) => {
    const api = i.requiredString(k);
    return new Later(() => apiOrAll(api));
  },
  daily: (i, k) => i.int(k, 0, 1_000_000_000),
  perMinute: (i, k) => i.int(k, 0, 1_000_000_000),
  appId: (i, k) => i.string(k, { pattern: APP_ID }),
};

function apiOrAll(api: string): ApiName | '*' {
  if (api !== '*' && !(API_NAMES as readonly string[]).includes(api)) {
    throw new ControlError(400, `api must be '*' or one of ${API_NAMES.join(', ')}`);
  }
  return api as ApiName | '*';
}

/** What the simulator does to API calls: injected faults, quotas, and the log of calls it answered. */
export class FaultsQuotasControl {
  constructor(private readonly sim: SimCore) {}

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
    const target = apiOrAll(api);
    if (!type) throw new ControlError(400, 'type is required');
    if (type === 'errcode' && errcode === undefined) throw new ControlError(400, 'errcode is required for type errcode');
    if (type === 'errcode' && errcode === 0) throw new ControlError(400, 'errcode 0 is not a fault');
    if (type !== 'errcode' && errcode !== undefined) throw new ControlError(400, 'errcode only applies to type errcode');
    if (type === 'delay' && delayMs === undefined) throw new ControlError(400, 'delayMs is required for type delay');
    if (type !== 'delay' && delayMs !== undefined) throw new ControlError(400, 'delayMs only applies to type delay');
    const fault: FaultInput = { api: target, type, errcode, delayMs, count, probability, appId };
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

  setQuota(body: unknown) {
    const { api, daily, perMinute, appId } = readRequest(body, QUOTA);
    if (daily === undefined && perMinute === undefined) throw new ControlError(400, 'give daily and/or perMinute');
    const apis = api === '*' ? [...API_NAMES] : [api];
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
}
