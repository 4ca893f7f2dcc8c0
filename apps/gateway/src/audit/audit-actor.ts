import type { AnyCaller } from '../platform/auth/caller';

export type AuditActor = 'operator' | 'tenant' | 'token_key' | 'system';

/**
 * Who acted: the kind of actor and which one. `actorName` is the operator key's name, the tenant
 * key's or token key's id, `console:<operator key name>` for the console, or
 * `system:<component>` for the gateway itself; null only on events recorded before names existed.
 */
export interface ActingParty {
  actor: AuditActor;
  actorName: string | null;
}

/** Parts of the gateway that change things on their own. */
export type SystemComponent =
  | 'renewer' // background token renewal
  | 'reconciliation' // the daily comparison with WeChat's authorizer list
  | 'push' // WeChat's authorization pushes
  | 'onboarding' // the merchant's authorization callback
  | 'token-refresh' // a refresh a request needed
  | 'calls' // what WeChat said to a tenant's call
  | 'web-oauth' // a follower's web authorization coming back
  | 'jssdk' // the JS-SDK tickets' refresh
  | 'sandbox'; // the sandbox's own demo tenant and links

export const systemActor = (component: SystemComponent): ActingParty => ({ actor: 'system', actorName: `system:${component}` });

/** The console acts with the operator key its session was opened with. */
export const consoleActor = (operatorName: string): ActingParty => ({ actor: 'operator', actorName: `console:${operatorName}` });

/** The caller the API key guard resolved. */
export const callerActor = (caller: AnyCaller): ActingParty => ({ actor: caller.actor, actorName: caller.name ?? null });
