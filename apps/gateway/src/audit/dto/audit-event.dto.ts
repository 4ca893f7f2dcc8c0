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
  @ApiProperty({ enum: ['operator', 'tenant', 'system'] }) actor: 'operator' | 'tenant' | 'system';
  @ApiProperty({ enum: ['block', 'unblock'], description: 'What was asked; jobId tells a job from a synchronous request' })
  action: string;
  @ApiProperty() total: number;
  @ApiProperty() succeeded: number;
  @ApiProperty() invalid: number;
  @ApiProperty() failed: number;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) jobId: string | null;
  @ApiProperty({ nullable: true, type: String }) requestId: string | null;
}

export class AuditEventPageDto {
  @ApiProperty({ type: [AuditEventDto] }) items: AuditEventDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next (older) page; null at the end' })
  nextCursor: string | null;
}
