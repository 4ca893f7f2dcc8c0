import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TenantsModule } from '../tenants/tenants.module';
import { ApiKeyGuard } from './api-key.guard';
import { FailedAuthLimiter } from './failed-auth-limiter';

/** Installs the API key guard on every route of the application. */
// The guard is also exported: the large-body parser of the jobs route asks it who is calling
// before reading up to 80 MB.
@Module({
  imports: [TenantsModule],
  providers: [FailedAuthLimiter, ApiKeyGuard, { provide: APP_GUARD, useExisting: ApiKeyGuard }],
  exports: [ApiKeyGuard],
})
export class AuthModule {}
