import { DiscoveryService } from '@nestjs/core';
import type { CronTaskName } from './cron-registry';

/**
 * A periodic task that pg-boss runs on one instance per occurrence of its schedule. The schedule is
 * not here but in cron-registry.ts, so one file lists when everything runs; the class, beside its
 * feature's code, says what runs. Mark it `@CronTask('name')` and list it in its module's providers.
 */
export interface CronTaskHandler {
  run(): Promise<unknown>;
}

/**
 * A sub-minute loop that every instance runs (pg-boss cron has a one-minute resolution). Whatever
 * makes its work happen once across instances (a try-lock, a row lease) is the task's own, and its
 * class comment says which. Mark it `@LoopTask('name')`.
 */
export interface LoopTaskHandler {
  /** Milliseconds from the end of one run to the start of the next (may vary: jitter). */
  nextDelayMs(): number;
  /** Whether the first run starts at boot rather than one delay later. */
  readonly runAtStart: boolean;
  /** One pass; `signal` aborts when the application stops. */
  run(signal: AbortSignal): Promise<unknown>;
}

export const CronTask = DiscoveryService.createDecorator<CronTaskName>();
export const LoopTask = DiscoveryService.createDecorator<string>();
