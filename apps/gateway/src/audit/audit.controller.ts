import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TenantScoped, CurrentTenant } from '../auth';
import type { TenantId } from '../tenants/tenant-id';
import { AuditService } from './audit.service';
import { AuditEventPageDto, ListAuditEventsQuery } from './dto/audit-event.dto';

@ApiTags('audit')
@Controller('v1/tenants/:tenantId/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @TenantScoped()
  @ApiOperation({
    summary:
      'Audit trail of this tenant, newest first: one event per block/unblock request, finished job, proxied WeChat call (wechat.call) and token read (authorizer_token.read)',
  })
  @ApiOkResponse({ type: AuditEventPageDto })
  list(@CurrentTenant() tenantId: TenantId, @Query() query: ListAuditEventsQuery): Promise<AuditEventPageDto> {
    return this.audit.list(tenantId, query.cursor, query.limit ?? 50);
  }
}
