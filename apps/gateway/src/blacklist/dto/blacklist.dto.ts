import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

// Request bodies are validated by hand (openid-validation.ts) so a million openids stay fast;
// these classes document them.

export class BlacklistChangeRequest {
  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: 1000,
    example: ['oABC123def456ghi789jkl012mno'],
    description: 'Openids of this Official Account, each 1-64 characters of A-Z a-z 0-9 _ -. Duplicates collapse.',
  })
  openids: string[];
}

export class CreateBlacklistJobRequest {
  @ApiProperty({ enum: ['block', 'unblock'] })
  action: 'block' | 'unblock';

  @ApiProperty({ type: [String], minItems: 1, maxItems: 1_000_000, description: 'Same rules as the synchronous routes' })
  openids: string[];
}

export class OpenidFailureDto {
  @ApiProperty() openid: string;
  @ApiProperty({
    description:
      'WECHAT_UNAVAILABLE, RATE_LIMITED, QUOTA_EXCEEDED, API_UNAUTHORIZED, PERMISSION_SET_MISSING, WECHAT_TOKEN_INVALID, TENANT_NOT_ACTIVE, WECHAT_API_ERROR',
  })
  code: string;
  @ApiProperty() message: string;
}

export class BlacklistChangeResult {
  @ApiProperty({ enum: ['block', 'unblock'] }) action: 'block' | 'unblock';
  @ApiProperty({ description: 'Distinct openids; succeeded, invalid and failed partition them' }) total: number;
  @ApiProperty({ type: [String] }) succeeded: string[];
  @ApiProperty({ type: [String], description: 'Rejected by WeChat as not an openid of this account (40003/49003)' })
  invalid: string[];
  @ApiProperty({ type: [OpenidFailureDto] }) failed: OpenidFailureDto[];
}

export class BlacklistPageQuery {
  @ApiPropertyOptional({ description: "WeChat's next_openid from the previous page; empty or absent = from the start" })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{0,64}$/, { message: 'cursor must be an openid' })
  cursor?: string;
}

export class BlacklistPage {
  @ApiProperty({ description: 'Openids on the blacklist in all' }) total: number;
  @ApiProperty({ type: [String] }) openids: string[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page; null at the end' }) nextCursor:
    string | null;
}

export const JOB_STATUSES = ['queued', 'running', 'paused', 'succeeded', 'partially_failed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const ITEM_OUTCOMES = ['succeeded', 'invalid', 'failed', 'pending', 'cancelled'] as const;
export type ItemOutcome = (typeof ITEM_OUTCOMES)[number];

export class JobAcceptedDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['block', 'unblock'] }) action: 'block' | 'unblock';
  @ApiProperty({ enum: ['queued'] }) status: 'queued';
  @ApiProperty({ description: 'Distinct openids' }) total: number;
}

export class JobErrorDto {
  @ApiProperty() code: string;
  @ApiProperty() message: string;
}

export class BlacklistJobDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['block', 'unblock'] }) action: 'block' | 'unblock';
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
}

export class JobItemsQuery {
  @ApiPropertyOptional({ enum: ITEM_OUTCOMES })
  @IsOptional()
  @IsIn(ITEM_OUTCOMES)
  outcome?: ItemOutcome;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'cursor is not valid' })
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
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
