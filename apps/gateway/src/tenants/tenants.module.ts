import { Module } from '@nestjs/common';
import { TenantViews } from './tenant-views';
import { TenantsRepository } from './tenants.repository';

/** The tenant aggregate at the bottom of the graph: every other feature may call it, it calls none. */
@Module({ providers: [TenantsRepository, TenantViews], exports: [TenantsRepository, TenantViews] })
export class TenantsModule {}
