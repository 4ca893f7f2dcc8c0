import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OperatorOnly } from '../platform/auth';
import { GATEWAY_CONFIG, type GatewayConfig, messageEventUrlTemplate } from '../platform/config/gateway-config';
import { SealedSecretsCensus } from '../platform/database/sealed-columns';
import { ComponentCallBudget } from './component-call-budget';
import { ComponentTokenService } from './component-token.service';
import { ComponentStatusView } from './component-status.view';
import { ticketRepairState, ticketStaleAfterSeconds } from './ticket-watch.service';

@ApiTags('component')
@Controller('v1/component')
export class ComponentController {
  constructor(
    private readonly tokens: ComponentTokenService,
    private readonly budget: ComponentCallBudget,
    private readonly census: SealedSecretsCensus,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get('status')
  @OperatorOnly()
  @ApiOperation({ summary: 'Component ticket and token health (no secret values)' })
  @ApiOkResponse({ type: ComponentStatusView })
  async status(): Promise<ComponentStatusView> {
    const s = await this.tokens.status();
    const { ageSeconds, overdue } = ticketRepairState(s.ticketReceivedAt, s.ticketPushRequestedAt);
    return {
      componentAppId: this.config.wechat.componentAppId,
      mode: this.config.mode,
      ticket: {
        receivedAt: s.ticketReceivedAt?.toISOString() ?? null,
        ageSeconds,
        stale: ageSeconds === null || ageSeconds > ticketStaleAfterSeconds(this.config),
        overdue,
        pushRequestedAt: s.ticketPushRequestedAt?.toISOString() ?? null,
      },
      componentToken: { expiresAt: s.componentTokenExpiresAt?.toISOString() ?? null },
      messageEventUrlTemplate: messageEventUrlTemplate(this.config),
      dailyCalls: await this.budget.status(),
      secrets: await this.secretsStatus(),
    };
  }

  private async secretsStatus() {
    const byTable = await this.census.rowsUnderOtherKeys();
    return {
      currentKeyId: this.census.currentKeyId,
      rowsUnderPreviousKey: Object.values(byTable).reduce((a, b) => a + b, 0),
      byTable,
    };
  }
}
