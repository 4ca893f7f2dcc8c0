import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { callerActor } from '../audit/audit-actor';
import { type Caller, CurrentCaller, CurrentTenant, OperatorOnly } from '../platform/auth';
import type { TenantId } from '../tenants/tenant-id';
import { UuidParamPipe } from '../platform/validation/uuid-param.pipe';
import { CreatedTokenKeyView, CreateTokenKeyDto, TokenKeyListView } from './dto/token-handout.dto';
import { TokenKeysService } from './token-keys.service';

@ApiTags('tokens')
@Controller('v1/tenants/:tenantId/token-keys')
@ApiParam({ name: 'tenantId', format: 'uuid' })
export class TokenKeysController {
  constructor(private readonly keys: TokenKeysService) {}

  @Post()
  @OperatorOnly()
  @Header('Cache-Control', 'no-store') // the reply carries the wtt_ key, shown once: no cache keeps it
  @ApiOperation({ summary: 'Issue a token key (`wtt_…`, shown once): it may only read this tenant’s authorizer token' })
  @ApiCreatedResponse({ type: CreatedTokenKeyView })
  create(
    @CurrentTenant() tenantId: TenantId,
    @Body() body: CreateTokenKeyDto,
    @CurrentCaller() caller: Caller,
  ): Promise<CreatedTokenKeyView> {
    return this.keys.create(tenantId, body.name, callerActor(caller));
  }

  @Get()
  @OperatorOnly()
  @ApiOperation({ summary: 'The tenant’s token keys (no secrets)' })
  @ApiOkResponse({ type: TokenKeyListView })
  list(@CurrentTenant() tenantId: TenantId): Promise<TokenKeyListView> {
    return this.keys.list(tenantId);
  }

  @Delete(':keyId')
  @OperatorOnly()
  @HttpCode(204)
  @ApiParam({ name: 'keyId', format: 'uuid' })
  @ApiOperation({ summary: 'Revoke a token key at once (it then gets 401)' })
  @ApiNoContentResponse()
  async revoke(
    @CurrentTenant() tenantId: TenantId,
    @Param('keyId', new UuidParamPipe()) keyId: string,
    @CurrentCaller() caller: Caller,
  ): Promise<void> {
    await this.keys.revoke(tenantId, keyId, callerActor(caller));
  }
}
