import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ValidationError } from '@app/common';
import type { ValidationError as ClassValidatorError } from 'class-validator';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger } from 'nestjs-pino';
import { AppModule, type AppModuleOptions } from './app.module';
import { ApiKeyGuard } from './auth/api-key.guard';
import { blacklistJobsBodyParser } from './blacklist-jobs/large-json-body';
import type { GatewayConfig } from './config/gateway-config';
import { requestIdFor } from './logging/request-id';
import { MetricsService } from './metrics/metrics.service';
import { wechatProxyBodyParser } from './wechat-proxy/proxy-body';

function flatten(errors: ClassValidatorError[], prefix = ''): { field: string; messages: string[] }[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Every body, query and param DTO is validated; unknown properties are rejected, not dropped silently. */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => new ValidationError('The request is invalid.', { fields: flatten(errors) }),
});

/**
 * Builds a fully configured gateway (used by main.ts, the e2e tests and the benchmarks),
 * so what tests exercise is exactly what production runs.
 */
export async function createGatewayApp(config: GatewayConfig, options: AppModuleOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  // First: every response, even a body-parser rejection, carries the request id.
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    requestIdFor(req, res);
    next();
  });
  app.use(app.get(MetricsService).middleware());
  // POST .../blacklist/jobs alone may carry up to 80 MB (a million openids); it parses first.
  app.use(blacklistJobsBodyParser((authorization) => app.get(ApiKeyGuard).callerFor(authorization)));
  // POST .../wechat/<path> is passed to WeChat byte for byte (JSON or multipart, up to 10 MB): read raw, first.
  app.use(wechatProxyBodyParser((authorization) => app.get(ApiKeyGuard).callerFor(authorization)));
  app.useBodyParser('json', { limit: '1mb' });
  // WeChat pushes arrive as XML; the crypto layer bounds what it parses.
  app.useBodyParser('text', { limit: '1mb', type: ['text/xml', 'application/xml', 'text/plain'] });
  app.useGlobalPipes(validationPipe);
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('wechat-tenant-gateway')
      .setDescription('Multi-tenant gateway for a WeChat third-party platform acting for merchants’ Official Accounts')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, doc, { jsonDocumentUrl: 'docs-json' });
  return app;
}
