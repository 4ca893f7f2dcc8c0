import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { TENANT_STATUSES, type TenantStatus } from '../../tenants/tenant.entity';
import { PageQuery } from '../../platform/validation/page-query';

export class ListTenantsQuery extends PageQuery({ maxLimit: 100, defaultLimit: 20, cursor: 'keyset' }) {
  @ApiPropertyOptional({ enum: TENANT_STATUSES })
  @IsOptional()
  @IsIn(TENANT_STATUSES)
  status?: TenantStatus;
}
