import { Controller, Get, Headers, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentCaller, CurrentTenant, TenantScoped } from '../platform/auth';
import { idempotencyKeyOf } from '../idempotency/idempotency.service';
import { RequestId } from '../platform/logging/request-id';
import type { TenantId } from '../tenants/tenant-id';
import { BlacklistService } from './blacklist.service';
import { BlacklistChangeRequest, BlacklistChangeResult, BlacklistPage, BlacklistPageQuery } from './dto/blacklist.dto';
import { BlacklistChangeBodyPipe, OpenIdsBody } from './openids-body.pipe';

@ApiTags('blacklist')
@Controller('v1/tenants/:tenantId/blacklist')
export class BlacklistController {
  constructor(private readonly blacklist: BlacklistService) {}

  @Post('block')
  @HttpCode(200)
  @TenantScoped()
  @ApiOperation({ summary: 'Block up to 1000 openids now; every distinct openid ends succeeded, invalid or failed' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Same key and body within 24 h returns the stored reply' })
  @ApiBody({ type: BlacklistChangeRequest })
  @ApiOkResponse({ type: BlacklistChangeResult })
  block(
    @CurrentTenant() tenantId: TenantId,
    @OpenIdsBody(BlacklistChangeBodyPipe) body: BlacklistChangeRequest,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentCaller() caller: Caller,
    @RequestId() requestId: string,
  ): Promise<BlacklistChangeResult> {
    return this.blacklist.change(tenantId, 'block', body.openids, { caller, requestId, idempotencyKey: idempotencyKeyOf(key) });
  }

  @Post('unblock')
  @HttpCode(200)
  @TenantScoped()
  @ApiOperation({ summary: 'Unblock up to 1000 openids now; every distinct openid ends succeeded, invalid or failed' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Same key and body within 24 h returns the stored reply' })
  @ApiBody({ type: BlacklistChangeRequest })
  @ApiOkResponse({ type: BlacklistChangeResult })
  unblock(
    @CurrentTenant() tenantId: TenantId,
    @OpenIdsBody(BlacklistChangeBodyPipe) body: BlacklistChangeRequest,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentCaller() caller: Caller,
    @RequestId() requestId: string,
  ): Promise<BlacklistChangeResult> {
    return this.blacklist.change(tenantId, 'unblock', body.openids, { caller, requestId, idempotencyKey: idempotencyKeyOf(key) });
  }

  @Get()
  @TenantScoped()
  @ApiOperation({ summary: 'One page of the Official Account blacklist (getblacklist)' })
  @ApiOkResponse({ type: BlacklistPage })
  page(@CurrentTenant() tenantId: TenantId, @Query() query: BlacklistPageQuery): Promise<BlacklistPage> {
    return this.blacklist.page(tenantId, query.cursor || undefined);
  }
}
