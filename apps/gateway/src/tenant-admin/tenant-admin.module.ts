import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthorizersModule } from '../authorizers/authorizers.module';
import { OnboardingModule } from '../onboarding/onboarding.module';
import { TenantsModule } from '../tenants/tenants.module';
import { TenantAdminService } from './tenant-admin.service';
import { TenantsController } from './tenant-admin.controller';

/** The /v1/tenants API: above authorizers and onboarding, whose rows a tenant's view and deletion touch. */
@Module({
  imports: [TenantsModule, AuthorizersModule, OnboardingModule, AuditModule],
  controllers: [TenantsController],
  providers: [TenantAdminService],
  exports: [TenantAdminService],
})
export class TenantAdminModule {}
