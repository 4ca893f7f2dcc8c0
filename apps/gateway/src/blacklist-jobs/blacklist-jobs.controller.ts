import { Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentCaller, CurrentTenant, TenantScoped } from '../auth';
import { OpenIdsBody } from '../blacklist/openids-body.pipe';
import { RequestId } from '../logging/request-id';
import type { TenantId } from '../tenants/tenant-id';
import { BlacklistJobsService } from './blacklist-jobs.service';
import { CreateBlacklistJobBodyPipe, JobIdPipe } from './create-job-body.pipe';
import {
  BlacklistJobDto,
  CreateBlacklistJobRequest,
  JobAcceptedDto,
  JobItemsPage,
  JobItemsQuery,
} from './dto/blacklist-jobs.dto';

const JobIdParam = () => ApiParam({ name: 'jobId', format: 'uuid' });

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
    @OpenIdsBody(CreateBlacklistJobBodyPipe) body: CreateBlacklistJobRequest,
    @CurrentCaller() caller: Caller,
    @RequestId() requestId: string,
  ): Promise<JobAcceptedDto> {
    return this.jobs.create(tenantId, body, { caller, requestId });
  }

  @Get(':jobId')
  @TenantScoped()
  @JobIdParam()
  @ApiOperation({ summary: 'Status and progress of a job (updated after every chunk)' })
  @ApiOkResponse({ type: BlacklistJobDto })
  get(@CurrentTenant() tenantId: TenantId, @Param('jobId', JobIdPipe) jobId: string): Promise<BlacklistJobDto> {
    return this.jobs.get(tenantId, jobId);
  }

  @Get(':jobId/items')
  @TenantScoped()
  @JobIdParam()
  @ApiOperation({ summary: "The job's openids with their outcome, in submission order" })
  @ApiOkResponse({ type: JobItemsPage })
  items(
    @CurrentTenant() tenantId: TenantId,
    @Param('jobId', JobIdPipe) jobId: string,
    @Query() query: JobItemsQuery,
  ): Promise<JobItemsPage> {
    return this.jobs.items(tenantId, jobId, query);
  }

  @Delete(':jobId')
  @HttpCode(202)
  @TenantScoped()
  @JobIdParam()
  @ApiOperation({ summary: 'Cancel: openids not sent yet end cancelled; chunks being sent finish' })
  @ApiAcceptedResponse({ type: BlacklistJobDto })
  cancel(@CurrentTenant() tenantId: TenantId, @Param('jobId', JobIdPipe) jobId: string): Promise<BlacklistJobDto> {
    return this.jobs.cancel(tenantId, jobId);
  }
}
