import type { SimCore } from '../core';
import { AuthorizersControl } from './authorizers.control';
import { FaultsQuotasControl } from './faults-quotas.control';
import { MessagesControl } from './messages.control';
import { SettingsControl } from './settings.control';

/**
 * The control surface, one part per resource (the sections of control.routes.ts). The HTTP routes
 * under /__sim and the in-process helpers both go through it, so both validate identically
 * (bad input → ControlError 400, unknown account → 404).
 */
export interface Control {
  readonly authorizers: AuthorizersControl;
  readonly faultsQuotas: FaultsQuotasControl;
  readonly settings: SettingsControl;
  readonly messages: MessagesControl;
}

export function createControl(sim: SimCore): Control {
  return {
    authorizers: new AuthorizersControl(sim),
    faultsQuotas: new FaultsQuotasControl(sim),
    settings: new SettingsControl(sim),
    messages: new MessagesControl(sim),
  };
}
