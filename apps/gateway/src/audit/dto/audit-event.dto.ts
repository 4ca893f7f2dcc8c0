import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { UUID_PATTERN } from '@app/common';
import { IsISO8601, IsOptional, IsString, Matches } from 'class-validator';
import { PageQuery } from '../../platform/validation/page-query';

export class ListAuditEventsQuery extends PageQuery({ maxLimit: 200, defaultLimit: 50, cursor: 'sequence' }) {}

/** GET /v1/audit-events: the operator's view across tenants. */
export class ListAllAuditEventsQuery extends ListAuditEventsQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only this tenant’s events (a deleted tenant’s too)' })
  @IsOptional()
  @Matches(UUID_PATTERN, { message: 'tenantId must be a UUID' })
  tenantId?: string;

  @ApiPropertyOptional({ description: 'Only events of this action, e.g. tenant.deleted' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9_.]{1,32}$/, { message: 'action must be an audit action such as tenant.created' })
  action?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Only events at or after this instant (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'since must be an ISO 8601 date-time' })
  since?: string;
}

export class AuditEventDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'The tenant the event belongs to; null for console sign-ins and operator webhook endpoints',
  })
  tenantId: string | null;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ enum: ['operator', 'tenant', 'token_key', 'system'] }) actor: 'operator' | 'tenant' | 'token_key' | 'system';
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'Which one acted: an operator key’s name (OPERATOR_API_KEYS `name:key`, else the first 8 hex of its SHA-256), a tenant key’s or token key’s keyId, `console:<operator key name>`, or `system:<component>` (renewer, reconciliation, push, onboarding, token-refresh, calls, web-oauth, jssdk, sandbox); null on events recorded before names were kept',
  })
  actorName: string | null;
  // A string, not an enum: the list grows with the product, and clients must not break when it does.
  @ApiProperty({
    example: 'tenant.created',
    description:
      'What was asked or changed. block, unblock: a blacklist request (jobId tells a job from a synchronous request); wechat.call: one proxied WeChat call; authorizer_token.read: one token hand-out; refresh_token.recovered, refresh_token.replaced, authorizer.revoked: what the gateway learned from WeChat’s authorizer list; web_oauth.exchange: one follower’s web authorization code exchanged; jssdk.ticket_refreshed: a JS-SDK ticket fetched anew. Lifecycle changes (counts 1, 1, 0, 0): tenant.created, tenant.activated, tenant.permissions_changed, tenant.revoked, tenant.reauthorization_required, tenant.deleted, tenant.api_key_rotated, token_key.issued, token_key.revoked, webhook_endpoint.created, webhook_endpoint.updated, webhook_endpoint.deleted, webhook_endpoint.secret_rotated, authorization_session.created, authorization_session.closed, console.signed_in',
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
  @ApiPropertyOptional({ format: 'uuid', description: 'authorizer_token.read by a token key, token_key.*: which token key' })
  tokenKeyId?: string;
  @ApiPropertyOptional({ description: 'tenant.created, tenant.api_key_rotated: the keyId of the tenant key issued' })
  keyId?: string;
  @ApiPropertyOptional({ description: 'token_key.issued: the name given to the token key' }) keyName?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'webhook_endpoint.*: which endpoint' }) endpointId?: string;
  @ApiPropertyOptional({ description: 'tenant.activated: the Official Account’s appid' }) appId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'authorization_session.*: which session' }) sessionId?: string;
  @ApiPropertyOptional({ description: 'web_oauth.exchange: the scope asked for' }) scope?: string;
  @ApiPropertyOptional({ description: 'web_oauth.exchange, jssdk.ticket_refreshed: what started it' }) trigger?: string;
  @ApiPropertyOptional({ description: 'tenant.permissions_changed: the permission sets before, comma-separated' })
  previous?: string;
  @ApiPropertyOptional({ description: 'tenant.permissions_changed: the permission sets after, comma-separated' })
  current?: string;
}

export class AuditEventPageDto {
  @ApiProperty({ type: [AuditEventDto] }) items: AuditEventDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as cursor for the next (older) page; null at the end' })
  nextCursor: string | null;
}
