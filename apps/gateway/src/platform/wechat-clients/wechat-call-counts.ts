import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type WeChatCallCount, WeChatCallCountsRepository } from './wechat-call-counts.repository';

const FLUSH_AFTER_MS = 10_000;
const HOUR_MS = 3_600_000;

/**
 * Counts every WeChat call by hour, API and outcome (the console's 24-hour chart). A job makes
 * thousands of calls a second, so counts gather in memory and the calls themselves write them out
 * at most every 10 s, with no timer of their own; the rest is written at shutdown and before a read.
 */
@Injectable()
export class WeChatCallCounts implements OnApplicationShutdown {
  private readonly logger = new Logger(WeChatCallCounts.name);
  private pending = new Map<string, WeChatCallCount>();
  private lastFlush = Date.now();
  private flushing?: Promise<void>;

  constructor(private readonly repository: WeChatCallCountsRepository) {}

  record(api: string, outcome: string, at = Date.now()): void {
    const hour = Math.floor(at / HOUR_MS) * HOUR_MS;
    const key = `${hour}|${api}|${outcome}`;
    const count = this.pending.get(key);
    if (count) count.calls++;
    else this.pending.set(key, { hour: new Date(hour), api, outcome, calls: 1 });
    if (at - this.lastFlush >= FLUSH_AFTER_MS && !this.flushing) void this.flush();
  }

  /** Writes what was counted; on failure the counts stay for the next try. */
  flush(): Promise<void> {
    this.flushing ??= (async () => {
      const batch = this.pending;
      this.pending = new Map();
      this.lastFlush = Date.now();
      try {
        await this.repository.add([...batch.values()]);
      } catch (error) {
        for (const [key, c] of batch) {
          const now = this.pending.get(key);
          if (now) now.calls += c.calls;
          else this.pending.set(key, c);
        }
        this.logger.warn({ err: (error as Error).message }, 'WeChat call counts not written; kept for the next try');
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  /** The last 24 hours across instances, this instance's latest counts included. */
  async lastDay(): Promise<WeChatCallCount[]> {
    await this.flush();
    return this.repository.lastDay();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }
}
