import { Module } from '@nestjs/common';
import { TenantsRepository } from './tenants.repository';

/** The tenant aggregate at the bottom of the graph: every other feature may call it, it calls none. */
@Module({ providers: [TenantsRepository], exports: [TenantsRepository] })
export class TenantsModule {}
