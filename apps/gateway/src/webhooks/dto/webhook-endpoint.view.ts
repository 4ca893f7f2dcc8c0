import { ApiProperty } from '@nestjs/swagger';
import { WEBHOOK_EVENT_TYPES } from '../webhook-event-types';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../webhook.entity';

export class WebhookEndpointView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() url: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, description: 'Empty: every type.' }) types: string[];
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty() enabled: boolean;
  @ApiProperty() createdAt: string;
}

export class CreatedWebhookEndpointView extends WebhookEndpointView {
  @ApiProperty({ description: 'Signing secret (whsec_…): shown this once; rotate it to get a new one.' }) secret: string;
}

export class WebhookEndpointPageView {
  @ApiProperty({ type: [WebhookEndpointView] }) items: WebhookEndpointView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class WebhookSecretView {
  @ApiProperty({ description: 'The new secret; the previous one also signs every delivery for 24 hours.' }) secret: string;
}

export class DeliveryAttemptView {
  @ApiProperty() at: string;
  @ApiProperty({ nullable: true, type: Number, description: 'null: no HTTP answer (refused, timed out, address not allowed).' })
  httpStatus: number | null;
  @ApiProperty() durationMs: number;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
}

export class DeliveryView {
  @ApiProperty({ format: 'uuid', description: 'The event id: the webhook-id header of every attempt.' }) eventId: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES }) type: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: DeliveryStatus;
  @ApiProperty({ type: [DeliveryAttemptView] }) attempts: DeliveryAttemptView[];
  @ApiProperty({ nullable: true, type: String }) nextAttemptAt: string | null;
}

export class DeliveryPageView {
  @ApiProperty({ type: [DeliveryView] }) items: DeliveryView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
