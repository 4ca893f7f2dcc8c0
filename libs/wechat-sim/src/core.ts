import { authorizerView, type AuthorizerView, type CreateAuthorizerInput } from './authorizers';
import { CallLog } from './call-log';
import { SimClock } from './clock';
import { FaultInjector } from './faults';
import { MessageSender } from './follower-messages';
import type { AuthorizationPushMode, ResolvedOptions } from './options';
import { EventPusher, type PushEvent, type PushRecord } from './pusher';
import { QuotaTracker } from './quotas';
import { SimState, type Grant } from './state';
import { Throttle } from './throttle';

/** When a control action pushes its event: now (awaited), kept for release, or never. */
export type ControlPushMode = 'now' | 'hold' | 'none';

export interface AuthorizeResult {
  appId: string;
  authCode: string;
  expiresIn: number;
  infoType: string;
  push: PushRecord;
}

/**
 * The simulator's parts wired together, shared by the API routes, the pages and the control
 * API. Orchestration that spans state and pushes lives here so all three behave the same.
 */
export class SimCore {
  readonly clock: SimClock;
  readonly state: SimState;
  readonly quotas: QuotaTracker;
  readonly faults: FaultInjector;
  readonly callLog: CallLog;
  readonly pusher: EventPusher;
  readonly messages: MessageSender;
  readonly throttle: Throttle;

  constructor(readonly opts: ResolvedOptions) {
    this.clock = new SimClock(opts.now);
    this.state = new SimState(opts, this.clock);
    this.quotas = new QuotaTracker(this.clock, { daily: opts.dailyQuota, perMinute: opts.minuteRate });
    this.faults = new FaultInjector(opts.random);
    this.callLog = new CallLog(opts.callLogLimit);
    this.throttle = new Throttle(opts.maxCallsPerSecond);
    this.pusher = new EventPusher({
      componentAppId: opts.componentAppId,
      componentToken: opts.componentToken,
      encodingAESKey: opts.encodingAESKey,
      timeoutMs: opts.pushTimeoutMs,
      getEventUrl: () => this.state.settings.eventUrl,
      clock: this.clock,
      log: (line) => this.log(line),
    });
    this.messages = new MessageSender({
      componentAppId: opts.componentAppId,
      componentToken: opts.componentToken,
      encodingAESKey: opts.encodingAESKey,
      timeoutMs: opts.messageTimeoutMs,
      retries: opts.messageRetries,
      getMessageUrl: () => this.state.settings.messageUrl,
      clock: this.clock,
      log: (line) => this.log(line),
    });
  }

  log(line: object): void {
    try {
      this.opts.logger({ component: 'wechat-sim', at: new Date().toISOString(), ...line });
    } catch {
      // A failing logger must not break the simulator.
    }
  }

  /** Issues a ticket and pushes it; the ticket is valid even if delivery fails, as with WeChat. */
  async pushTicket(): Promise<PushRecord> {
    const ticket = this.state.issueTicket();
    return this.pusher.deliver({ infoType: 'component_verify_ticket', fields: { ComponentVerifyTicket: ticket } });
  }

  createAuthorizer(input: CreateAuthorizerInput): AuthorizerView {
    return authorizerView(this.state.authorizers.create(input));
  }

  /** Control-API authorization (no browser): grants, then pushes authorized/updateauthorized. */
  async authorize(appId: string, permissionSets: number[] | undefined, push: ControlPushMode): Promise<AuthorizeResult> {
    const account = this.state.authorizers.get(appId)!;
    const grant = this.state.grantAuthorization(appId, permissionSets ?? account.defaultPermissionSets);
    return { ...this.grantResult(grant), push: await this.sendControlPush(grant.event, push) };
  }

  async revoke(appId: string, push: ControlPushMode): Promise<PushRecord> {
    return this.sendControlPush(this.state.revoke(appId), push);
  }

  grantResult(grant: Grant): Omit<AuthorizeResult, 'push'> {
    return { appId: grant.account.appId, authCode: grant.authCode, expiresIn: grant.expiresIn, infoType: grant.event.infoType };
  }

  /**
   * Sends an authorization event around a redirect: 'before' awaits delivery, 'after' fires
   * once the redirect response has been written, 'hold' keeps it for release, 'none' loses it.
   */
  async pushAroundRedirect(
    event: PushEvent,
    mode: AuthorizationPushMode,
    delayMs: number,
    sendRedirect: (onFinished: () => void) => void,
  ): Promise<void> {
    if (mode === 'before') {
      await this.pusher.deliver(event);
      sendRedirect(() => undefined);
      return;
    }
    if (mode === 'hold') this.pusher.hold(event);
    if (mode === 'none') this.pusher.suppress(event);
    sendRedirect(() => {
      if (mode !== 'after') return;
      setTimeout(() => void this.pusher.deliver(event), delayMs).unref();
    });
  }

  reset(): void {
    this.state.reset();
    this.quotas.reset();
    this.faults.clear();
    this.callLog.clear();
    this.pusher.clear();
    this.clock.reset();
  }

  private async sendControlPush(event: PushEvent, mode: ControlPushMode): Promise<PushRecord> {
    if (mode === 'hold') return this.pusher.hold(event);
    if (mode === 'none') return this.pusher.suppress(event);
    return this.pusher.deliver(event);
  }
}
