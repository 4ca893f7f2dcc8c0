import type { ApiName } from './api-names';

export type FaultType = 'errcode' | 'http500' | 'delay' | 'drop';

export interface FaultInput {
  /** An API name or '*' for every API. */
  api: ApiName | '*';
  type: FaultType;
  errcode?: number;
  delayMs?: number;
  /** Fire on the next N matching calls, then retire; unlimited when absent. */
  count?: number;
  /** Chance that a matching call fires the fault (default 1). */
  probability?: number;
  /** Only calls made for this account (authorizer appid, or the component appid). */
  appId?: string;
}

export interface Fault extends FaultInput {
  id: number;
  remaining: number | null;
  fired: number;
}

export interface FaultDecision {
  delayMs: number;
  /** errcode, http500 or drop: the call is answered by the fault, not by the API. */
  terminal?: Fault;
  fired: Fault[];
}

/** Injected failures, checked in insertion order. Delays add up; the first terminal fault wins. */
export class FaultInjector {
  private faults: Fault[] = [];
  private nextId = 1;

  constructor(private readonly random: () => number) {}

  add(input: FaultInput): Fault {
    const fault: Fault = { ...input, id: this.nextId++, remaining: input.count ?? null, fired: 0 };
    this.faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }

  decide(api: string, appId: string | undefined): FaultDecision {
    const decision: FaultDecision = { delayMs: 0, fired: [] };
    for (const f of this.faults) {
      if (f.api !== '*' && f.api !== api) continue;
      if (f.appId && f.appId !== appId) continue;
      if (f.remaining === 0) continue;
      if (f.type !== 'delay' && decision.terminal) continue;
      if ((f.probability ?? 1) < 1 && this.random() >= (f.probability ?? 1)) continue;
      if (f.remaining !== null) f.remaining--;
      f.fired++;
      decision.fired.push(f);
      if (f.type === 'delay') decision.delayMs += f.delayMs ?? 0;
      else decision.terminal = f;
    }
    this.faults = this.faults.filter((f) => f.remaining !== 0);
    return decision;
  }
}
