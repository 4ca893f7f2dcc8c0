import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';

/** How long a caller waits for a lock another instance holds (a holder is bounded by WeChat's timeouts). */
const MAX_WAIT_MS = 60_000;

export class LockWaitTimeoutError extends Error {
  constructor(name: string) {
    super(`gave up waiting for lock ${name}`);
  }
}

/**
 * Named locks held across a WeChat call, on ONE connection of their own, outside the request
 * pool: a slow WeChat then never holds (or starves) a connection requests need.
 *
 * Session-level advisory locks in the same key space as lockForTransaction (hashtextextended of
 * the name), so a transaction taking the transaction-level lock of the same name (a grant, a
 * revocation) waits for a holder here, and the other way round. Acquisition polls
 * pg_try_advisory_lock, so the shared connection never blocks on one waiter. Session locks are
 * re-entrant per connection, so callers in this process are also queued per name in memory.
 * If the connection drops, PostgreSQL frees its locks; the next use reconnects.
 */
@Injectable()
export class SessionLocks implements OnModuleDestroy {
  private readonly logger = new Logger(SessionLocks.name);
  private connecting?: Promise<Client>;
  private readonly localTails = new Map<string, Promise<void>>();
  private closed = false;
  private lastStatement: Promise<unknown> = Promise.resolve();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Runs `work` holding the named lock in this process and across instances. */
  async hold<T>(name: string, work: () => Promise<T>): Promise<T> {
    const releaseLocal = await this.enterLocal(name);
    try {
      const client = await this.acquire(name);
      try {
        return await work();
      } finally {
        await this.release(client, name);
      }
    } finally {
      releaseLocal();
    }
  }

  /** Like hold, but runs `work` only if nobody holds the lock now (periodic work done by one instance). */
  async holdIfFree<T>(name: string, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (this.localTails.has(name)) return { ran: false };
    const releaseLocal = await this.enterLocal(name);
    try {
      const client = await this.connection();
      if (!(await this.tryLock(client, name))) return { ran: false };
      try {
        return { ran: true, value: await work() };
      } finally {
        await this.release(client, name);
      }
    } finally {
      releaseLocal();
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    const c = await this.connecting?.catch(() => undefined);
    this.connecting = undefined;
    await c?.end().catch(() => undefined);
  }

  private async enterLocal(name: string): Promise<() => void> {
    const before = this.localTails.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = before.then(() => mine);
    this.localTails.set(name, tail);
    await before;
    return () => {
      release();
      if (this.localTails.get(name) === tail) this.localTails.delete(name);
    };
  }

  private async acquire(name: string): Promise<Client> {
    const deadline = Date.now() + MAX_WAIT_MS;
    for (let delay = 10; ; delay = Math.min(delay * 2, 250)) {
      const client = await this.connection();
      if (await this.tryLock(client, name)) return client;
      if (Date.now() > deadline) throw new LockWaitTimeoutError(name);
      await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
    }
  }

  private async tryLock(client: Client, name: string): Promise<boolean> {
    const rows = await this.serially<{ ok: boolean }>(client, 'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [
      name,
    ]);
    return rows[0].ok;
  }

  /**
   * One statement at a time on the lock connection: pg queues overlapping queries on a client
   * but deprecates doing so, and many tenants lock and unlock at once.
   */
  private serially<R extends object>(client: Client, text: string, params: unknown[]): Promise<R[]> {
    const run = this.lastStatement.then(() => client.query<R>(text, params)).then((r) => r.rows);
    this.lastStatement = run.catch(() => undefined);
    return run;
  }

  private async release(client: Client, name: string): Promise<void> {
    try {
      await this.serially(client, 'SELECT pg_advisory_unlock(hashtextextended($1, 0))', [name]);
    } catch (e) {
      // The connection is gone, and its locks with it.
      this.logger.warn({ lock: name, err: (e as Error).message }, 'could not release a session lock; its connection is gone');
    }
  }

  private connection(): Promise<Client> {
    if (this.closed) return Promise.reject(new Error('session locks are closed'));
    if (!this.connecting) {
      const options = this.dataSource.options as { url?: string };
      const client = new Client({ connectionString: options.url, application_name: 'wtg-session-locks' });
      const attempt: Promise<Client> = client.connect().then(() => client);
      const forget = () => {
        if (this.connecting === attempt) this.connecting = undefined;
      };
      client.on('error', (e) => {
        this.logger.warn({ err: e.message }, 'session lock connection lost; its locks are released');
        forget();
      });
      client.on('end', forget);
      attempt.catch(forget);
      this.connecting = attempt;
    }
    return this.connecting;
  }
}
