import type { LoopTaskHandler } from './background-task';

/**
 * Drives one loop task: a run, then the task's delay, then the next run. A wake() during a run
 * makes the next one start as soon as it ends; runs never overlap. stop() waits for the run in
 * flight (its signal aborted).
 */
export class TaskLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;
  private readonly abort = new AbortController();

  constructor(
    private readonly task: LoopTaskHandler,
    private readonly run: (signal: AbortSignal) => Promise<void>,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(this.task.runAtStart ? 0 : this.task.nextDelayMs());
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await this.running;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    // Failures are counted and logged by the runner; the loop goes on.
    this.running = this.run(this.abort.signal).catch(() => undefined);
    await this.running;
    this.running = undefined;
    if (this.stopped) return;
    const again = this.again;
    this.again = false;
    this.schedule(again ? 0 : this.task.nextDelayMs());
  }
}
