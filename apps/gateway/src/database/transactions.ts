import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { lockForTransaction } from './advisory-lock';

/**
 * Services group repository calls into one transaction through this, so they never hold the
 * DataSource themselves. Repositories take the EntityManager it hands out as their last argument.
 */
@Injectable()
export class Transactions {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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
}
