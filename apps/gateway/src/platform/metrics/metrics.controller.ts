import { Controller, Get, Header, Inject, NotFoundException, Req, Res } from '@nestjs/common';
import { Public } from '../auth/decorators';
import { UnauthenticatedError } from '../auth/auth.errors';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { metricsAccessAllowed } from './metrics-access';
import { MetricsService } from './metrics.service';

/**
 * /metrics on the API port: open by default (scrapers carry no API key), behind METRICS_TOKEN when
 * set, and absent (404) when METRICS_PORT moves it to a port of its own (MetricsServer).
 */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    if (this.config.metrics?.port !== undefined) throw new NotFoundException();
    if (!metricsAccessAllowed(this.config.metrics?.token, req.headers.authorization)) throw new UnauthenticatedError();
    const text = await this.metrics.registry.metrics();
    res.header('Content-Type', this.metrics.registry.contentType).send(text);
  }
}
