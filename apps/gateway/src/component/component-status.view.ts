import { ApiProperty } from '@nestjs/swagger';

export class TicketStatusView {
  @ApiProperty({ nullable: true, type: String }) receivedAt: string | null;
  @ApiProperty({ nullable: true, type: Number }) ageSeconds: number | null;
  @ApiProperty({
    description: 'Absent, or older than COMPONENT_TICKET_STALE_AFTER_SECONDS (default 12 h, WeChat’s ticket lifetime).',
  })
  stale: boolean;
  @ApiProperty({
    description:
      'Older than 20 minutes (or none yet): pushes are overdue and the gateway asks WeChat for one (api_start_push_ticket, at most every 10 minutes across instances).',
  })
  overdue: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'The last api_start_push_ticket by any instance.' })
  pushRequestedAt: string | null;
}

export class ComponentTokenStatusView {
  @ApiProperty({ nullable: true, type: String }) expiresAt: string | null;
}

export class ComponentApiBudgetView {
  @ApiProperty({ enum: ['api_create_preauthcode', 'api_query_auth'] }) api: 'api_create_preauthcode' | 'api_query_auth';
  @ApiProperty({ description: 'Calls made today (China time), by every instance.' }) callsToday: number;
  @ApiProperty({ description: 'COMPONENT_DAILY_CALL_BUDGET: past it the gateway stops calling until the reset.' })
  dailyBudget: number;
  @ApiProperty() remaining: number;
}

export class ComponentDailyCallsView {
  @ApiProperty({ description: 'Next midnight, China Standard Time.' }) resetsAt: string;
  @ApiProperty({ type: [ComponentApiBudgetView] }) apis: ComponentApiBudgetView[];
}

export class SealedSecretsStatusView {
  @ApiProperty({ description: 'Id of SECRETS_ENCRYPTION_KEY as sealed values name it (not the key).' }) currentKeyId: string;
  @ApiProperty({
    description:
      'Rows still holding a value sealed under another key (the previous one): 0 means SECRETS_PREVIOUS_ENCRYPTION_KEY can be dropped (npm run secrets:reseal).',
  })
  rowsUnderPreviousKey: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, description: 'The same, per table.' })
  byTable: Record<string, number>;
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

  @ApiProperty({
    type: ComponentDailyCallsView,
    description: 'The component’s own daily budget for the calls onboarding visitors cause (shared by every tenant).',
  })
  dailyCalls: ComponentDailyCallsView;

  @ApiProperty({ type: SealedSecretsStatusView, description: 'Secrets at rest and the key rotation.' })
  secrets: SealedSecretsStatusView;
}
