import { Body, Controller, Delete, Get, Header, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { callerActor } from '../audit/audit-actor';
import { type Caller, CurrentCaller, CurrentTenant, OperatorOnly, TenantScoped } from '../platform/auth';
import type { TenantId } from '../tenants/tenant-id';
import { CreateTenantDto } from './dto/create-tenant.dto';
import { ListTenantsQuery } from './dto/list-tenants.query';
import { UpdateTenantDto } from './dto/update-tenant.dto';
import { ApiKeyView, CreatedTenantView, TenantPageView, TenantView } from './dto/tenant.view';
import { TenantAdminService } from './tenant-admin.service';

@ApiTags('tenants')
@Controller('v1/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantAdminService) {}

  @Post()
  @Header('Cache-Control', 'no-store') // the reply carries a secret, shown once: no cache keeps it
  @OperatorOnly()
  @ApiOperation({ summary: 'Create a tenant; its API key is returned once' })
  @ApiCreatedResponse({ type: CreatedTenantView })
  create(@Body() body: CreateTenantDto, @CurrentCaller() caller: Caller): Promise<CreatedTenantView> {
    return this.tenants.create(body, callerActor(caller));
  }

  @Get()
  @OperatorOnly()
  @ApiOperation({ summary: 'List tenants, oldest first, by cursor' })
  @ApiOkResponse({ type: TenantPageView })
  list(@Query() query: ListTenantsQuery): Promise<TenantPageView> {
    return this.tenants.list(query);
  }

  @Get(':tenantId')
  @TenantScoped()
  @ApiOperation({ summary: 'A tenant with its Official Account, permission sets and capabilities' })
  @ApiOkResponse({ type: TenantView })
  get(@CurrentTenant() tenantId: TenantId): Promise<TenantView> {
    return this.tenants.get(tenantId);
  }

  @Patch(':tenantId')
  @OperatorOnly()
  @ApiOperation({ summary: 'Change a tenant’s settings (the origins its web-authorization returnUrl may point at)' })
  @ApiParam({ name: 'tenantId', format: 'uuid' })
  @ApiOkResponse({ type: TenantView })
  update(@CurrentTenant() tenantId: TenantId, @Body() body: UpdateTenantDto): Promise<TenantView> {
    return this.tenants.update(tenantId, body);
  }

  @Post(':tenantId/api-keys')
  @Header('Cache-Control', 'no-store') // the reply carries a secret, shown once: no cache keeps it
  @TenantScoped()
  @ApiOperation({ summary: 'Issue a new tenant key; the previous one stops working at once' })
  @ApiCreatedResponse({ type: ApiKeyView })
  rotateApiKey(@CurrentTenant() tenantId: TenantId, @CurrentCaller() caller: Caller): Promise<ApiKeyView> {
    return this.tenants.rotateApiKey(tenantId, callerActor(caller));
  }

  @Delete(':tenantId')
  @OperatorOnly()
  @ApiOperation({ summary: 'Delete a tenant: tokens wiped, account freed, audit kept' })
  @ApiParam({ name: 'tenantId', format: 'uuid' })
  @HttpCode(204)
  @ApiNoContentResponse()
  async delete(@CurrentTenant() tenantId: TenantId, @CurrentCaller() caller: Caller): Promise<void> {
    await this.tenants.delete(tenantId, callerActor(caller));
  }
}
