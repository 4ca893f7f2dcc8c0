import { Controller, Get, Inject } from '@nestjs/common';
import { Public } from '../auth/decorators';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';

@ApiTags('health')
@Public() // operational endpoints stay open (scrapers and load balancers carry no key)
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** Mode is repeated here so nobody mistakes a sandbox for production. */
  @Get()
  @ApiOperation({ summary: 'Status and mode (sandbox or production)' })
  summary() {
    return { status: 'ok', mode: this.config.mode, sandbox: this.config.mode === 'sandbox' };
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
    return this.health.check([() => this.db.pingCheck('database', { timeout: 2000 })]);
  }
}
