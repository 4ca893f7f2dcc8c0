import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQuery } from '../../validation/page-query';

export class ListAuditEventsQuery extends PageQuery({ maxLimit: 200, defaultLimit: 50, cursor: 'sequence' }) {}

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
