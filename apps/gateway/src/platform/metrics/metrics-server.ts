import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { metricsAccessAllowed } from './metrics-access';
import { MetricsService } from './metrics.service';

function answerError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify({ error: { code, message, requestId: randomUUID() } }));
}

/** METRICS_PORT: /metrics alone on a port of its own (e.g. reachable only from the monitoring network). */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private server?: Server;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.metrics?.port;
    if (port === undefined) return;
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?', 1)[0];
      if (req.method !== 'GET' || path !== '/metrics') return answerError(res, 404, 'NOT_FOUND', 'No such route.');
      if (!metricsAccessAllowed(this.config.metrics?.token, req.headers.authorization))
        return answerError(res, 401, 'UNAUTHENTICATED', 'A valid metrics token is required (Authorization: Bearer <token>).');
      this.metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': this.metrics.registry.contentType, 'Cache-Control': 'no-store' });
          res.end(text);
        },
        () => answerError(res, 500, 'INTERNAL', 'An unexpected error occurred.'),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, () => resolve());
    });
    this.server = server;
    this.logger.log({ port }, 'metrics served on their own port');
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
