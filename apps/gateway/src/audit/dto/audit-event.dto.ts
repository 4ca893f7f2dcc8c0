import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

export class ListAuditEventsQuery {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'cursor is not valid' })
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class AuditEventDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ enum: ['operator', 'tenant', 'token_key', 'system'] }) actor: 'operator' | 'tenant' | 'token_key' | 'system';
  @ApiProperty({
    enum: ['block', 'unblock', 'wechat.call', 'authorizer_token.read', 'refresh_token.recovered'],
    description:
      'What was asked; jobId tells a blacklist job from a synchronous request. wechat.call is one proxied WeChat call, authorizer_token.read one token hand-out, refresh_token.recovered a refresh token the gateway recovered from WeChat',
  })
  action: string;
  @ApiProperty() total: number;
  @ApiProperty() succeeded: number;
  @ApiProperty() invalid: number;
  @ApiProperty() failed: number;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) jobId: string | null;
  @ApiProperty({ nullable: true, type: String }) requestId: string | null;
  @ApiPropertyOptional({ description: 'wechat.call: the WeChat API path called, e.g. cgi-bin/user/info' }) path?: string;
  @ApiPropertyOptional({ description: 'wechat.call: WeChat’s errcode (0 when absent), null when no reply came' })
  errcode?: number | null;
  @ApiPropertyOptional({ description: 'wechat.call: time spent on WeChat, retries included' }) durationMs?: number;
  @ApiPropertyOptional({ format: 'uuid', description: 'authorizer_token.read by a token key: which key' })
  tokenKeyId?: string;
}

export class AuditEventPageDto {
  @ApiProperty({ type: [AuditEventDto] }) items: AuditEventDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next (older) page; null at the end' })
  nextCursor: string | null;
}
