import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntitySubscriberInterface } from 'typeorm';
import { WebhookDeliveryWorker } from './webhook-delivery-worker';
import { PUBLISHED_IN_TRANSACTION } from './webhook-publisher';

/**
 * Wakes this instance's worker when a transaction that published commits, so a local event
 * goes out at once instead of at the next poll (other instances find it by polling).
 * Holds the DataSource only to subscribe to commits; it runs no SQL.
 */
@Injectable()
export class WebhookCommitHook implements OnModuleDestroy {
  private readonly subscriber: EntitySubscriberInterface;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    worker: WebhookDeliveryWorker,
  ) {
    this.subscriber = {
      afterTransactionCommit: (e) => {
        if (!e.queryRunner.data[PUBLISHED_IN_TRANSACTION]) return;
        delete e.queryRunner.data[PUBLISHED_IN_TRANSACTION];
        worker.wake();
      },
      afterTransactionRollback: (e) => {
        delete e.queryRunner.data[PUBLISHED_IN_TRANSACTION];
      },
    };
    dataSource.subscribers.push(this.subscriber);
  }

  onModuleDestroy(): void {
    const i = this.dataSource.subscribers.indexOf(this.subscriber);
    if (i >= 0) this.dataSource.subscribers.splice(i, 1);
  }
}
