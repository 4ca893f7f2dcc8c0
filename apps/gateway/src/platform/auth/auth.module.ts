import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TenantsModule } from '../../tenants/tenants.module';
import { ApiKeyGuard } from './api-key.guard';
import { TokenKeysRepository } from './token-keys.repository';
import { FailedAuthLimiter } from './failed-auth-limiter';

/** Installs the API key guard on every route of the application; token keys (its third kind of caller) live here too. */
// The guard is also exported: the large-body parser of the jobs route asks it who is calling
// before reading up to 80 MB.
@Module({
  imports: [TenantsModule],
  providers: [FailedAuthLimiter, ApiKeyGuard, TokenKeysRepository, { provide: APP_GUARD, useExisting: ApiKeyGuard }],
  exports: [ApiKeyGuard, TokenKeysRepository],
})
export class AuthModule {}
