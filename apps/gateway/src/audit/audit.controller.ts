import { Controller, Get, Headers, Query, StreamableFile } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import { CurrentTenant, OperatorOnly, TenantScoped } from '../platform/auth';
import { ValidationError } from '@app/common';
import { parseTenantId, type TenantId } from '../tenants/tenant-id';
import type { AuditFilter } from './audit.repository';
import { AuditService } from './audit.service';
import { AuditEventDto, AuditEventPageDto, ListAllAuditEventsQuery, ListAuditEventsQuery } from './dto/audit-event.dto';

const NDJSON = 'application/x-ndjson';

@ApiTags('audit')
@Controller('v1/tenants/:tenantId/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @TenantScoped()
  @ApiOperation({
    summary:
      'Audit trail of this tenant, newest first: block/unblock requests, finished jobs, proxied WeChat calls (wechat.call), token reads (authorizer_token.read) and lifecycle changes, each naming who acted',
  })
  @ApiOkResponse({ type: AuditEventPageDto })
  list(@CurrentTenant() tenantId: TenantId, @Query() query: ListAuditEventsQuery): Promise<AuditEventPageDto> {
    return this.audit.list(tenantId, query.cursor, query.limit ?? 50);
  }
}

@ApiTags('audit')
@ApiExtraModels(AuditEventDto, AuditEventPageDto)
@Controller('v1/audit-events')
export class AllAuditEventsController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @OperatorOnly()
  @ApiOperation({
    summary:
      'Audit events of every tenant (deleted ones included) and of none (console sign-ins, operator webhook endpoints), newest first; with Accept: application/x-ndjson, every matching event from the cursor on, one JSON object per line',
  })
  @ApiHeader({ name: 'Accept', required: false, description: `${NDJSON} streams all matching events instead of one page` })
  @ApiOkResponse({
    description: 'A page (JSON) or every matching event (NDJSON)',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(AuditEventPageDto) } },
      [NDJSON]: { schema: { $ref: getSchemaPath(AuditEventDto) } },
    },
  })
  list(
    @Query() query: ListAllAuditEventsQuery,
    @Headers('accept') accept: string | undefined,
  ): Promise<AuditEventPageDto> | StreamableFile {
    const filter = toFilter(query);
    if (!accept?.toLowerCase().includes(NDJSON)) return this.audit.listAcrossTenants(filter, query.cursor, query.limit ?? 50);
    const events = this.audit.exportAcrossTenants(filter, query.cursor);
    const lines = (async function* () {
      for await (const e of events) yield `${JSON.stringify(e)}\n`;
    })();
    return new StreamableFile(Readable.from(lines), { type: NDJSON });
  }
}

function toFilter(query: ListAllAuditEventsQuery): AuditFilter {
  const since = query.since === undefined ? undefined : new Date(query.since);
  // ISO 8601 allows instants PostgreSQL cannot store (year 0): refused here rather than failing in SQL.
  if (since && (Number.isNaN(since.getTime()) || since.getUTCFullYear() < 1 || since.getUTCFullYear() > 9999)) {
    throw new ValidationError('The request is invalid.', {
      fields: [{ field: 'since', messages: ['since must be an ISO 8601 date-time'] }],
    });
  }
  return { tenantId: parseTenantId(query.tenantId), action: query.action, since };
}
