import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager, EntitySubscriberInterface } from 'typeorm';
import { lockForTransaction } from './advisory-lock';

const AFTER_COMMIT = 'wtg:after-commit';

type Callbacks = (() => void)[];

/**
 * Services group repository calls into one transaction through this, so they never hold the
 * DataSource themselves. Repositories take the EntityManager it hands out as their last argument.
 */
@Injectable()
export class Transactions implements OnModuleDestroy {
  private readonly subscriber: EntitySubscriberInterface = {
    afterTransactionCommit: (e) => {
      const callbacks = e.queryRunner.data[AFTER_COMMIT] as Callbacks | undefined;
      delete e.queryRunner.data[AFTER_COMMIT];
      for (const fn of callbacks ?? []) fn();
    },
    afterTransactionRollback: (e) => {
      delete e.queryRunner.data[AFTER_COMMIT];
    },
  };

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    dataSource.subscribers.push(this.subscriber);
  }

  run<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** A transaction that first takes the named advisory lock (held until it ends). */
  underLock<T>(lockName: string, work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (m) => {
      await lockForTransaction(m, lockName);
      return work(m);
    });
  }

  /**
   * Runs `fn` once the open transaction of `m` commits, never if it rolls back (e.g. to wake a
   * local worker for a row the transaction wrote). Throws outside a transaction.
   */
  afterCommit(m: EntityManager, fn: () => void): void {
    if (!onCommit(m, fn)) throw new Error('afterCommit needs the EntityManager of an open transaction');
  }

  onModuleDestroy(): void {
    const i = this.dataSource.subscribers.indexOf(this.subscriber);
    if (i >= 0) this.dataSource.subscribers.splice(i, 1);
  }
}

/**
 * Runs `fn` once the open transaction of `m` commits (run by the Transactions subscriber);
 * false when `m` is in no open transaction. For code below the services (ChangeNotices).
 */
export function onCommit(m: EntityManager | undefined, fn: () => void): boolean {
  if (!m?.queryRunner?.isTransactionActive) return false;
  const callbacks = (m.queryRunner.data[AFTER_COMMIT] ??= []) as Callbacks;
  callbacks.push(fn);
  return true;
}
