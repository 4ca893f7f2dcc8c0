import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { type Caller, CurrentCaller, TenantScoped, CurrentTenant } from '../auth';
import type { TenantId } from '../tenants/tenant-id';
import { requestIdOf } from '../logging/request-id';
import { BlacklistJobsService } from './blacklist-jobs.service';
import { BlacklistJobDto, CreateBlacklistJobRequest, JobAcceptedDto, JobItemsPage, JobItemsQuery } from './dto/blacklist.dto';

@ApiTags('blacklist')
@Controller('v1/tenants/:tenantId/blacklist/jobs')
export class BlacklistJobsController {
  constructor(private readonly jobs: BlacklistJobsService) {}

  @Post()
  @HttpCode(202)
  @TenantScoped()
  @ApiOperation({ summary: 'Block or unblock up to 1,000,000 openids in the background (body up to 80 MB)' })
  @ApiBody({ type: CreateBlacklistJobRequest })
  @ApiAcceptedResponse({ type: JobAcceptedDto })
  create(
    @CurrentTenant() tenantId: TenantId,
    @Body() body: unknown,
    @CurrentCaller() caller: Caller,
    @Req() req: Request,
  ): Promise<JobAcceptedDto> {
    return this.jobs.create(tenantId, body, { caller, requestId: requestIdOf(req) });
  }

  @Get(':jobId')
  @TenantScoped()
  @ApiOperation({ summary: 'Status and progress of a job (updated after every chunk)' })
  @ApiOkResponse({ type: BlacklistJobDto })
  get(@CurrentTenant() tenantId: TenantId, @Param('jobId') jobId: string): Promise<BlacklistJobDto> {
    return this.jobs.get(tenantId, jobId);
  }

  @Get(':jobId/items')
  @TenantScoped()
  @ApiOperation({ summary: "The job's openids with their outcome, in submission order" })
  @ApiOkResponse({ type: JobItemsPage })
  items(
    @CurrentTenant() tenantId: TenantId,
    @Param('jobId') jobId: string,
    @Query() query: JobItemsQuery,
  ): Promise<JobItemsPage> {
    return this.jobs.items(tenantId, jobId, query);
  }

  @Delete(':jobId')
  @HttpCode(202)
  @TenantScoped()
  @ApiOperation({ summary: 'Cancel: openids not sent yet end cancelled; chunks being sent finish' })
  @ApiAcceptedResponse({ type: BlacklistJobDto })
  cancel(@CurrentTenant() tenantId: TenantId, @Param('jobId') jobId: string): Promise<BlacklistJobDto> {
    return this.jobs.cancel(tenantId, jobId);
  }
}
