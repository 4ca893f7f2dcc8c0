import { Body, Controller, Get, Headers, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { type Caller, CurrentCaller, TenantScoped, CurrentTenant } from '../auth';
import type { TenantId } from '../tenants/tenant-id';
import { requestIdOf } from '../logging/request-id';
import { BlacklistService } from './blacklist.service';
import { BlacklistChangeRequest, BlacklistChangeResult, BlacklistPage, BlacklistPageQuery } from './dto/blacklist.dto';
import { idempotencyKeyOf } from './idempotency.service';
import { assertOnlyKeys, type BlacklistAction } from './openid-validation';

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
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentCaller() caller: Caller,
    @Req() req: Request,
  ): Promise<BlacklistChangeResult> {
    return this.change(tenantId, 'block', body, key, caller, req);
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
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentCaller() caller: Caller,
    @Req() req: Request,
  ): Promise<BlacklistChangeResult> {
    return this.change(tenantId, 'unblock', body, key, caller, req);
  }

  @Get()
  @TenantScoped()
  @ApiOperation({ summary: 'One page of the Official Account blacklist (getblacklist)' })
  @ApiOkResponse({ type: BlacklistPage })
  page(@CurrentTenant() tenantId: TenantId, @Query() query: BlacklistPageQuery): Promise<BlacklistPage> {
    return this.blacklist.page(tenantId, query.cursor || undefined);
  }

  private change(
    tenantId: TenantId,
    action: BlacklistAction,
    body: unknown,
    key: string | undefined,
    caller: Caller,
    req: Request,
  ) {
    const fields = assertOnlyKeys(body, ['openids']);
    return this.blacklist.change(tenantId, action, fields.openids, {
      caller,
      requestId: requestIdOf(req),
      idempotencyKey: idempotencyKeyOf(key),
    });
  }
}
