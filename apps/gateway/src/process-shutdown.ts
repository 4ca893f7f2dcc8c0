import { spawn } from 'node:child_process';
import type { Logger } from 'pino';

/** In-flight requests and jobs get this long to finish once a stop signal arrives. */
export const DRAIN_MS = 25_000;
/** After the drain, everything else (PostgreSQL, the simulator) and the exit itself get this long. */
export const EXIT_MS = 10_000;

export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
  /** The step's own bound; the whole shutdown is bounded by DRAIN_MS + EXIT_MS whatever the steps say. */
  timeoutMs: () => number;
  /** Called when the step ran out of time (e.g. cut the connections still open). */
  onTimeout?: () => void;
}

/**
 * How the process stops: on SIGINT/SIGTERM the steps run in reverse order of registration, each
 * bounded; then the process exits. It always ends: past DRAIN_MS + EXIT_MS it logs what still holds
 * the event loop and exits, and a watchdog process kills it should even the exit hang (Node can
 * stall at exit on a V8 background thread). A second signal exits at once, after `onSecondSignal`
 * (which must not wait: it tells the embedded PostgreSQL to stop).
 */
export class ProcessShutdown {
  private readonly steps: ShutdownStep[] = [];
  private stopping = false;
  private deadline = Infinity;

  constructor(
    private readonly log: Logger,
    private readonly onSecondSignal: () => void = () => undefined,
  ) {}

  get isStopping(): boolean {
    return this.stopping;
  }

  add(step: ShutdownStep): void {
    this.steps.push(step);
  }

  install(): void {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => this.onSignal(signal));
  }

  private onSignal(signal: NodeJS.Signals): void {
    if (this.stopping) {
      this.log.warn({ signal }, 'second signal: exiting now');
      this.onSecondSignal();
      process.exit(130);
    }
    this.stopping = true;
    this.log.info({ signal }, 'shutting down');
    const total = DRAIN_MS + EXIT_MS;
    this.deadline = Date.now() + total;
    startWatchdog(total + 2000);
    setTimeout(() => {
      this.log.warn({ heldBy: loopHolders() }, `shutdown did not end within ${total / 1000} s: exiting`);
      process.exit(1);
    }, total).unref();
    void this.runSteps().finally(() => {
      const heldBy = loopHolders();
      if (heldBy.length > 0) this.log.info({ heldBy }, 'exiting; these still held the event loop');
      process.exit(0);
    });
  }

  /** Runs the steps in reverse order of registration, each bounded (also used when start-up fails). */
  async runSteps(): Promise<void> {
    for (const step of [...this.steps].reverse()) {
      const ms = Math.max(0, Math.min(step.timeoutMs(), this.deadline - Date.now()));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), ms);
      });
      const outcome = await Promise.race([step.run().then(() => 'done' as const), timedOut]).catch((err: unknown) => {
        this.log.warn({ step: step.name, err: String(err) }, 'shutdown step failed');
        return 'failed' as const;
      });
      clearTimeout(timer);
      if (outcome === 'timeout') {
        this.log.warn({ step: step.name, ms, heldBy: loopHolders() }, 'shutdown step did not finish in time; going on');
        step.onTimeout?.();
      }
    }
  }
}

/** What keeps the event loop alive besides the process's own stdio. */
function loopHolders(): string[] {
  return process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap');
}

/**
 * A detached process that kills this one if it is still alive after `ms`: the last resort for an
 * exit that hangs. In its own process group, so a second Ctrl-C does not stop it; it ends as soon
 * as this process is gone.
 */
function startWatchdog(ms: number): void {
  // A poll by timeout chain: the watchdog ends by itself once nothing is left to wait for.
  const script =
    'const [pid, ms] = process.argv.slice(1).map(Number); const until = Date.now() + ms;' +
    'const tick = () => { try { process.kill(pid, 0); } catch { return; }' +
    " if (Date.now() > until) { try { process.kill(pid, 'SIGKILL'); } catch {} return; } setTimeout(tick, 250); }; tick();";
  try {
    spawn(process.execPath, ['-e', script, String(process.pid), String(ms)], { detached: true, stdio: 'ignore' }).unref();
  } catch {
    /* the in-process deadline still applies */
  }
}
