import { Controller, Get, Inject } from '@nestjs/common';
import { Public } from '../platform/auth/decorators';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthIndicatorResult, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { BackgroundTasks } from '../platform/background/background-tasks.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../platform/config/gateway-config';
import { TicketWatch } from '../component/ticket-watch.service';

@ApiTags('health')
@Public() // operational endpoints stay open (scrapers and load balancers carry no key)
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly ticketWatch: TicketWatch,
    private readonly background: BackgroundTasks,
  ) {}

  /**
   * Mode is repeated here so nobody mistakes a sandbox for production. `degraded` (still 200, still
   * ready) while WeChat's verify ticket pushes are overdue: the gateway is asking for one.
   */
  @Get()
  @ApiOperation({ summary: 'Status and mode; degraded (still 200) while the verify ticket is overdue' })
  async summary() {
    const ticket = await this.ticketWatch.repairState();
    const overdue = ticket !== undefined && ticket.ageSeconds !== null && ticket.overdue;
    return {
      status: overdue ? 'degraded' : 'ok',
      mode: this.config.mode,
      sandbox: this.config.mode === 'sandbox',
      ...(ticket && {
        componentTicket: {
          status: overdue ? 'overdue' : 'ok',
          ageSeconds: ticket.ageSeconds,
          pushRequestedAt: ticket.pushRequestedAt?.toISOString() ?? null,
        },
      }),
    };
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  live() {
    return { status: 'ok', mode: this.config.mode };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database answers (503 when it does not)' })
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 2000 }),
      // Information, not a condition: a scheduled task runs on one instance, so this one may never have run it.
      (): HealthIndicatorResult => ({ background: { status: 'up', tasks: this.background.health() } }),
    ]);
  }
}
