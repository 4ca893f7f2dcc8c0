import { ApiProperty } from '@nestjs/swagger';

export class TicketStatusView {
  @ApiProperty({ nullable: true, type: String }) receivedAt: string | null;
  @ApiProperty({ nullable: true, type: Number }) ageSeconds: number | null;
  @ApiProperty({
    description: 'Absent, or older than COMPONENT_TICKET_STALE_AFTER_SECONDS (default 12 h, WeChat’s ticket lifetime).',
  })
  stale: boolean;
}

export class ComponentTokenStatusView {
  @ApiProperty({ nullable: true, type: String }) expiresAt: string | null;
}

export class ComponentStatusView {
  @ApiProperty() componentAppId: string;
  @ApiProperty({ enum: ['sandbox', 'production'] }) mode: 'sandbox' | 'production';
  @ApiProperty({ type: TicketStatusView }) ticket: TicketStatusView;
  @ApiProperty({ type: ComponentTokenStatusView }) componentToken: ComponentTokenStatusView;
  @ApiProperty({
    description: 'The "message and event URL" to enter in the Open Platform console ($APPID$ is WeChat’s placeholder).',
    example: 'https://gateway.example.com/wechat/authorizers/$APPID$/events',
  })
  messageEventUrlTemplate: string;
}
