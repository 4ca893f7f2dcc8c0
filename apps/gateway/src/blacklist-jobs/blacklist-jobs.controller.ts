import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { type Caller, CurrentCaller, CurrentTenant, TenantScoped } from '../platform/auth';
import { BLACKLIST_JOBS_BODY_LIMIT, RouteBody } from '../platform/http/route-body';
import { RequestId } from '../platform/logging/request-id';
import type { TenantId } from '../tenants/tenant-id';
import { BlacklistJobsService } from './blacklist-jobs.service';
import { UuidParamPipe } from '../platform/validation/uuid-param.pipe';
import { JobNotFoundError } from './blacklist-jobs.errors';
import { CreateBlacklistJobBodyPipe } from './create-job-body.pipe';
import { StreamedJobBody, streamedJobFormat } from './streamed-job-body';
import {
  BlacklistJobDto,
  CreateBlacklistJobRequest,
  JobAcceptedDto,
  JobItemsPage,
  JobItemsQuery,
} from './dto/blacklist-jobs.dto';

const JobIdParam = () => ApiParam({ name: 'jobId', format: 'uuid' });
/** Anything but a UUID names no job: 404 JOB_NOT_FOUND like an unknown (or another tenant's) job, not 400. */
const JOB_ID = new UuidParamPipe(() => new JobNotFoundError());

@ApiTags('blacklist')
@Controller('v1/tenants/:tenantId/blacklist/jobs')
export class BlacklistJobsController {
  private readonly jsonBody = new CreateBlacklistJobBodyPipe();

  constructor(private readonly jobs: BlacklistJobsService) {}

  @Post()
  @HttpCode(202)
  @TenantScoped()
  // JSON up to 80 MB (a million openids); NDJSON and CSV handed over as the request stream.
  @RouteBody({ bodyLimit: BLACKLIST_JOBS_BODY_LIMIT, streamed: ['application/x-ndjson', 'text/csv'] })
  @ApiOperation({
    summary: 'Block or unblock up to 1,000,000 openids in the background',
    description:
      'application/json: {"action","openids"} (up to 80 MB). Streamed, read as it arrives and never held whole: ' +
      'application/x-ndjson (first line {"action":"block"}, then one openid per line) or text/csv ' +
      '(?action=block, one openid per line, optional header line "openid").',
  })
  @ApiConsumes('application/json', 'application/x-ndjson', 'text/csv')
  @ApiQuery({ name: 'action', required: false, enum: ['block', 'unblock'], description: 'Required with text/csv' })
  @ApiBody({ type: CreateBlacklistJobRequest })
  @ApiAcceptedResponse({ type: JobAcceptedDto })
  create(
    @CurrentTenant() tenantId: TenantId,
    @Req() req: FastifyRequest<{ Querystring: { action?: unknown } }>,
    @CurrentCaller() caller: Caller,
    @RequestId() requestId: string,
  ): Promise<JobAcceptedDto> {
    const format = streamedJobFormat(req.headers['content-type']);
    if (format) {
      const body = new StreamedJobBody(req.body as Readable, format, req.query.action, req.headers['content-encoding']);
      return this.jobs.createStreamed(tenantId, body, { caller, requestId });
    }
    return this.jobs.create(tenantId, this.jsonBody.transform(req.body), { caller, requestId });
  }

  @Get(':jobId')
  @TenantScoped()
  @JobIdParam()
  @ApiOperation({ summary: 'Status and progress of a job (updated after every chunk)' })
  @ApiOkResponse({ type: BlacklistJobDto })
  get(@CurrentTenant() tenantId: TenantId, @Param('jobId', JOB_ID) jobId: string): Promise<BlacklistJobDto> {
    return this.jobs.get(tenantId, jobId);
  }

  @Get(':jobId/items')
  @TenantScoped()
  @JobIdParam()
  @ApiOperation({ summary: "The job's openids with their outcome, in submission order" })
  @ApiOkResponse({ type: JobItemsPage })
  items(
    @CurrentTenant() tenantId: TenantId,
    @Param('jobId', JOB_ID) jobId: string,
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
  cancel(@CurrentTenant() tenantId: TenantId, @Param('jobId', JOB_ID) jobId: string): Promise<BlacklistJobDto> {
    return this.jobs.cancel(tenantId, jobId);
  }
}
