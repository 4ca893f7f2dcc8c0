import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { BLACKLIST_ACTIONS, type BlacklistAction, SYNC_MAX_OPENIDS } from '../openid-validation';

// Request bodies are validated by hand (openid-validation.ts, through OpenIdsBodyPipe) so a
// million openids stay fast; the pipe returns instances of these classes, which also document them.

export class BlacklistChangeRequest {
  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: SYNC_MAX_OPENIDS,
    example: ['oABC123def456ghi789jkl012mno'],
    description: 'Openids of this Official Account, each 1-64 characters of A-Z a-z 0-9 _ -. Duplicates collapse.',
  })
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
  @ApiProperty({ enum: BLACKLIST_ACTIONS }) action: BlacklistAction;
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
