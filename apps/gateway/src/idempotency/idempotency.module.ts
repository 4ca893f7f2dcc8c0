import { Module } from '@nestjs/common';
import { IdempotencyRepository } from './idempotency.repository';
import { IdempotencyKeysSweep } from './idempotency-keys-sweep.schedule';
import { IdempotencyService } from './idempotency.service';

/** Idempotency-Key handling for the synchronous blacklist routes: claim, replay, release, expiry. */
@Module({
  providers: [IdempotencyRepository, IdempotencyService, IdempotencyKeysSweep],
  exports: [IdempotencyService],
})
export class IdempotencyModule {}
