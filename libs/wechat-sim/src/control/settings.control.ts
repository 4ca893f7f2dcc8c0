import type { SimCore } from '../core';
import { ControlError } from '../errors';
import { assertHttpUrl } from '../options';
import type { SimSettings } from '../state';
import { type FieldReaders, Input, PAGE_PUSH, readRequest } from './input';

// SettingsRequest is parsed by SETTINGS (a FieldReaders<SettingsRequest>): a new setting does not compile until it is read.
export type SettingsRequest = Partial<Omit<SimSettings, 'eventUrl' | 'messageUrl'>>;

const SETTINGS: FieldReaders<SettingsRequest> = {
  authorizationPush: (i, k) => i.oneOf(k, PAGE_PUSH),
  blacklistPageSize: (i, k) => i.int(k, 1, 1_000_000),
  blacklistTrailingEmptyPage: (i, k) => i.bool(k),
  rotateRefreshTokens: (i, k) => i.bool(k),
};

/** The simulated world around the APIs: the overview, the event URL, the run-time settings and the clock. */
export class SettingsControl {
  constructor(private readonly sim: SimCore) {}

  info() {
    const { opts, state } = this.sim;
    return {
      componentAppId: opts.componentAppId,
      eventUrl: state.settings.eventUrl ?? null,
      messageUrl: state.settings.messageUrl ?? null,
      settings: state.settings,
      clock: this.sim.clock.now(),
      authorizers: state.authorizers.list().length,
      nextAuthorization: state.nextAuthorization ?? null,
    };
  }

  setEventUrl(body: unknown): { eventUrl: string } {
    const input = new Input(body);
    const url = input.requiredString('url');
    input.done();
    try {
      assertHttpUrl('url', url);
    } catch (err) {
      throw new ControlError(400, (err as Error).message);
    }
    this.sim.state.settings.eventUrl = url;
    return { eventUrl: url };
  }

  /** The message URL template; `$APPID$` is optional (without it every account shares the URL). */
  setMessageUrl(body: unknown): { messageUrl: string } {
    const input = new Input(body);
    const url = input.requiredString('url');
    input.done();
    try {
      assertHttpUrl('url', url.replace(/\$APPID\$/g, 'wx0'));
    } catch (err) {
      throw new ControlError(400, (err as Error).message);
    }
    this.sim.state.settings.messageUrl = url;
    return { messageUrl: url };
  }

  updateSettings(body: unknown): SimSettings {
    const { authorizationPush, blacklistPageSize, blacklistTrailingEmptyPage, rotateRefreshTokens } = readRequest(body, SETTINGS);
    const s = this.sim.state.settings;
    if (authorizationPush) s.authorizationPush = authorizationPush;
    if (blacklistPageSize) s.blacklistPageSize = blacklistPageSize;
    if (blacklistTrailingEmptyPage !== undefined) s.blacklistTrailingEmptyPage = blacklistTrailingEmptyPage;
    if (rotateRefreshTokens !== undefined) s.rotateRefreshTokens = rotateRefreshTokens;
    return { ...s };
  }

  advanceClock(body: unknown): { now: number } {
    const input = new Input(body);
    const ms = input.int('ms', 0, 400 * 86_400_000);
    input.done();
    if (ms === undefined) throw new ControlError(400, 'ms is required');
    this.sim.clock.advance(ms);
    return { now: this.sim.clock.now() };
  }
}
