import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUrl, MaxLength } from 'class-validator';
import { IsWhatwgHttpUrl } from '../../platform/validation/http-url';
import { NoControlCharacters } from '../../platform/validation/no-control-characters';
import { OptionalNotNull } from '../../platform/validation/optional-not-null';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../webhook-event-types';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../webhook.entity';
import { PageQuery } from '../../platform/validation/page-query';

const URL_RULES = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
const URL_DOC = {
  maxLength: 2048,
  example: 'https://example.com/hooks/wechat-gateway',
  description:
    'Absolute http(s) URL. In production mode, hosts that are or resolve to loopback, private, link-local, CGNAT, ' +
    'multicast or unspecified addresses are refused (WEBHOOK_URL_NOT_ALLOWED) unless WEBHOOK_ALLOW_PRIVATE_URLS=true.',
};
const TYPES_DOC = {
  enum: WEBHOOK_EVENT_TYPES,
  isArray: true,
  description:
    'Event types to receive; omitted or empty means every type (stored and returned as given). ' +
    'Tenant endpoints never receive component.* events and may not list them.',
};

export class CreateWebhookEndpointDto {
  @ApiProperty(URL_DOC)
  @IsString()
  @MaxLength(2048)
  @NoControlCharacters()
  @IsUrl(URL_RULES, { message: 'url must be an absolute http(s) URL' })
  @IsWhatwgHttpUrl()
  url: string;

  @ApiPropertyOptional(TYPES_DOC)
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: `each value in types must be one of: ${WEBHOOK_EVENT_TYPES.join(', ')}` })
  types?: WebhookEventType[];

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @NoControlCharacters()
  description?: string;
}

export class UpdateWebhookEndpointDto {
  @ApiPropertyOptional(URL_DOC)
  @OptionalNotNull()
  @IsString()
  @MaxLength(2048)
  @NoControlCharacters()
  @IsUrl(URL_RULES, { message: 'url must be an absolute http(s) URL' })
  @IsWhatwgHttpUrl()
  url?: string;

  @ApiPropertyOptional(TYPES_DOC)
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: `each value in types must be one of: ${WEBHOOK_EVENT_TYPES.join(', ')}` })
  types?: WebhookEventType[];

  @ApiPropertyOptional({ maxLength: 500, nullable: true, type: String, description: 'null clears it.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @NoControlCharacters()
  description?: string | null;

  @ApiPropertyOptional({ description: 'A disabled endpoint receives no new events; deliveries due meanwhile end failed.' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class WebhookPageQuery extends PageQuery({ maxLimit: 100, defaultLimit: 50, cursor: 'keyset' }) {}

export class ListDeliveriesQuery extends WebhookPageQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}
