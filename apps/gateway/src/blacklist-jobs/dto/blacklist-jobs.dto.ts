import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { BLACKLIST_ACTIONS, type BlacklistAction, JOB_MAX_OPENIDS } from '../../blacklist/openid-validation';
import { ITEM_OUTCOMES, type ItemOutcome, JOB_STATUSES, type JobStatus } from '../job-status';
import { PageQuery } from '../../platform/validation/page-query';

// The body is validated by hand (openid-validation.ts, through OpenIdsBodyPipe) so a million
// openids stay fast; the pipe returns a CreateBlacklistJobRequest, which also documents it.

export class CreateBlacklistJobRequest {
  @ApiProperty({ enum: BLACKLIST_ACTIONS })
  action: BlacklistAction;

  @ApiProperty({ type: [String], minItems: 1, maxItems: JOB_MAX_OPENIDS, description: 'Same rules as the synchronous routes' })
  openids: string[];
}

export class JobAcceptedDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: BLACKLIST_ACTIONS }) action: BlacklistAction;
  @ApiProperty({ enum: ['queued'] }) status: 'queued';
  @ApiProperty({ description: 'Distinct openids' }) total: number;
}

export class JobErrorDto {
  @ApiProperty() code: string;
  @ApiProperty() message: string;
}

export class JobDetailsDto {
  @ApiProperty({
    description:
      'Openids sent again because an earlier call carrying them had an unknown outcome (timeout, dropped connection, a worker that died); block/unblock are idempotent, so this is safe. No openid is sent twice for any other reason.',
  })
  resentAfterUnknownOutcome: number;
}

export class BlacklistJobDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: BLACKLIST_ACTIONS }) action: BlacklistAction;
  @ApiProperty({
    enum: JOB_STATUSES,
    description:
      'paused: the daily quota is spent; the job resumes by itself after the reset. Once finished: succeeded when no openid ' +
      'failed (invalid openids are reported per item), failed when some failed and none succeeded, partially_failed otherwise; ' +
      'cancelled after DELETE.',
  })
  status: JobStatus;
  @ApiProperty() total: number;
  @ApiProperty({ description: 'succeeded + invalid + failed' }) processed: number;
  @ApiProperty() succeeded: number;
  @ApiProperty() invalid: number;
  @ApiProperty() failed: number;
  @ApiProperty({ description: 'Openids never sent because the job was cancelled' }) cancelled: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) startedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finishedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When a paused job resumes' }) resumeAt:
    string | null;
  @ApiProperty({ type: JobErrorDto, nullable: true, description: 'Why the job stopped early (e.g. TENANT_NOT_ACTIVE)' })
  error: JobErrorDto | null;
  @ApiProperty({ type: JobDetailsDto }) details: JobDetailsDto;
}

export class JobItemsQuery extends PageQuery({ maxLimit: 1000, defaultLimit: 100, cursor: 'sequence' }) {
  @ApiPropertyOptional({ enum: ITEM_OUTCOMES })
  @IsOptional()
  @IsIn(ITEM_OUTCOMES)
  outcome?: ItemOutcome;
}

export class JobItemDto {
  @ApiProperty() openid: string;
  @ApiProperty({ enum: ITEM_OUTCOMES }) outcome: ItemOutcome;
  @ApiProperty({ type: String, nullable: true }) code: string | null;
  @ApiProperty({ type: String, nullable: true }) message: string | null;
}

export class JobItemsPage {
  @ApiProperty({ type: [JobItemDto] }) items: JobItemDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
