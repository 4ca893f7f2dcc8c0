import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { ComponentApiCallsRepository } from './component-api-calls.repository';
import { ComponentBudgetExhaustedError } from './component.errors';

/** The component-quota APIs anonymous visitors can make us call (the onboarding page and the callback). */
export const BUDGETED_COMPONENT_APIS = ['api_create_preauthcode', 'api_query_auth'] as const;
export type BudgetedComponentApi = (typeof BUDGETED_COMPONENT_APIS)[number];

export const DEFAULT_COMPONENT_DAILY_CALL_BUDGET = 10_000;

const CST_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

/** The next midnight, China Standard Time (when WeChat's daily quotas, and these counts, reset). */
export function nextChinaMidnight(now = Date.now()): Date {
  return new Date((Math.floor((now + CST_OFFSET_MS) / DAY_MS) + 1) * DAY_MS - CST_OFFSET_MS);
}

export interface ComponentBudgetView {
  api: BudgetedComponentApi;
  callsToday: number;
  dailyBudget: number;
  remaining: number;
}

/**
 * The component's own daily budget for the calls anonymous visitors cause. These quotas are shared
 * by every tenant, so the gateway counts them (across instances) and stops at the budget instead
 * of letting WeChat's 45009 break every tenant's onboarding; /v1/component/status shows the figures.
 */
@Injectable()
export class ComponentCallBudget {
  private readonly budget: number;

  constructor(
    private readonly calls: ComponentApiCallsRepository,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.budget = config.componentDailyCallBudget ?? DEFAULT_COMPONENT_DAILY_CALL_BUDGET;
  }

  /** Counts a call about to be made; ComponentBudgetExhaustedError (no call) once today's budget is spent. */
  async spend(api: BudgetedComponentApi): Promise<void> {
    if ((await this.calls.spend(api, this.budget)) === undefined) {
      throw new ComponentBudgetExhaustedError(api, Math.ceil((nextChinaMidnight().getTime() - Date.now()) / 1000));
    }
  }

  async status(): Promise<{ resetsAt: string; apis: ComponentBudgetView[] }> {
    const today = await this.calls.today();
    return {
      resetsAt: nextChinaMidnight().toISOString(),
      apis: BUDGETED_COMPONENT_APIS.map((api) => {
        const callsToday = today.get(api) ?? 0;
        return { api, callsToday, dailyBudget: this.budget, remaining: Math.max(0, this.budget - callsToday) };
      }),
    };
  }
}
