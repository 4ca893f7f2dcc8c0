import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AuthorizerAccount } from './authorizers';
import type { CodeRecord } from './codes';
import type { AuthCodeData, SimState } from './state';
import type { TokenRecord } from './tokens';

/** What a restart must not forget: accounts (followers, blacklist, grant) and the tokens and codes still valid. */
interface SimStateFile {
  version: 1;
  authorizers: (Omit<AuthorizerAccount, 'followers' | 'blacklist' | 'sortedBlacklistCache'> & {
    followers: string[];
    blacklist: string[];
  })[];
  tokens: TokenRecord[];
  tickets: CodeRecord<null>[];
  preAuthCodes: CodeRecord<null>[];
  authCodes: CodeRecord<AuthCodeData>[];
}

function snapshot(state: SimState): SimStateFile {
  const now = state.clock.now();
  return {
    version: 1,
    authorizers: state.authorizers.list().map(({ followers, blacklist, sortedBlacklistCache: _cache, ...rest }) => ({
      ...rest,
      followers: [...followers],
      blacklist: [...blacklist],
    })),
    tokens: state.tokens.live(now),
    tickets: state.tickets.unexpired(now),
    preAuthCodes: state.preAuthCodes.unexpired(now),
    authCodes: state.authCodes.unexpired(now),
  };
}

function restore(state: SimState, file: SimStateFile): void {
  state.authorizers.load(
    file.authorizers.map((a) => ({ ...a, followers: new Set(a.followers), blacklist: new Set(a.blacklist) })),
  );
  state.tokens.load(file.tokens);
  state.tickets.load(file.tickets);
  state.preAuthCodes.load(file.preAuthCodes);
  state.authCodes.load(file.authCodes);
}

/**
 * Keeps the simulator's state in a JSON file: loaded at start, written (whole, then renamed) every
 * `intervalMs` when it changed and once more on close, so a restarted simulator knows the accounts
 * and tokens the gateway still holds. A state file that cannot be read is an error, not a silent reset.
 */
export class StateFile {
  private timer?: NodeJS.Timeout;
  private written = '';

  constructor(
    private readonly path: string,
    private readonly state: SimState,
  ) {}

  load(): void {
    if (!existsSync(this.path)) return;
    const text = readFileSync(this.path, 'utf8');
    let file: SimStateFile;
    try {
      file = JSON.parse(text) as SimStateFile;
    } catch (e) {
      throw new Error(
        `simulator state file ${this.path} is not valid JSON (${(e as Error).message}); move it away to start empty`,
        { cause: e },
      );
    }
    if (file.version !== 1) throw new Error(`simulator state file ${this.path} has unknown version ${String(file.version)}`);
    restore(this.state, file);
    this.written = text;
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.save(), intervalMs);
    this.timer.unref();
  }

  save(): void {
    const text = JSON.stringify(snapshot(this.state));
    if (text === this.written) return;
    writeFileSync(`${this.path}.tmp`, text, { mode: 0o600 });
    renameSync(`${this.path}.tmp`, this.path);
    this.written = text;
  }

  stop(): void {
    clearInterval(this.timer);
    this.save();
  }
}
