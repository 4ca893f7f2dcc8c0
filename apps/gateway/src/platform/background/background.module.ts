import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BackgroundTasks } from './background-tasks.service';
import { BatchedDeletes } from './batched-deletes';
import { JobQueue } from './job-queue.service';

/**
 * Background work, one home: the pg-boss instance (JobQueue) that carries feature queues and every
 * schedule, and the runner (BackgroundTasks) of the tasks features declare beside their code
 * (`@CronTask`, on cron-registry.ts's schedules; `@LoopTask`, for sub-minute cadences).
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [JobQueue, BackgroundTasks, BatchedDeletes],
  exports: [JobQueue, BackgroundTasks, BatchedDeletes],
})
export class BackgroundModule {}
