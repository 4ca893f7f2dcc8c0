import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { documentErrors } from './openapi/openapi-errors';
import { documentPathAliases } from './openapi/path-aliases';
import { ValidationError } from '@app/common';
import type { ValidationError as ClassValidatorError } from 'class-validator';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { Logger, PinoLogger } from 'nestjs-pino';
import proxyAddr from 'proxy-addr';
import type { Express } from 'express';
import { AppModule, type AppModuleOptions } from './app.module';
import { ApiKeyGuard } from './auth/api-key.guard';
import { authenticateBeforeBody } from './auth/authenticate-before-body';
import { FailedAuthLimiter } from './auth/failed-auth-limiter';
import { BlacklistChangeRoute } from './blacklist/blacklist-change-route';
import { BlacklistService } from './blacklist/blacklist.service';
import { blacklistJobsBodyParser } from './blacklist-jobs/large-json-body';
import type { GatewayConfig } from './config/gateway-config';
import { answerClientError } from './errors/client-error';
import { runWithRequestId } from './logging/request-context';
import { requestIdFor } from './logging/request-id';
import { MetricsService } from './metrics/metrics.service';
import { wechatProxyBodyParser } from './wechat-proxy/proxy-body';
import { bodyDepthLimit } from './validation/body-shape';

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
    runWithRequestId(requestIdFor(req, res), next);
  });
  // Node's own parser errors (431, 400, 408) answer in the error JSON too.
  (app.getHttpServer() as Server).on('clientError', answerClientError);
  app.use(app.get(MetricsService).middleware());
  app.get(FailedAuthLimiter).countIn(app.get(MetricsService).registry);
  // A keyed route's body is read only after its key checked out.
  const guard = app.get(ApiKeyGuard);
  app.use(authenticateBeforeBody((req) => guard.authenticate(req)));
  // POST .../blacklist/jobs alone may carry up to 80 MB (a million openids); it parses first.
  app.use(blacklistJobsBodyParser((authorization) => guard.callerFor(authorization)));
  // POST .../wechat/<path> is passed to WeChat byte for byte (JSON or multipart, up to 10 MB): read raw, first.
  app.use(wechatProxyBodyParser((authorization) => guard.callerFor(authorization)));
  // Compressed bodies are refused (415): a small gzip can inflate to any size, and no client of ours needs them.
  app.useBodyParser('json', { limit: '1mb', inflate: false });
  // WeChat pushes arrive as XML; the crypto layer bounds what it parses.
  app.useBodyParser('text', { limit: '1mb', type: ['text/xml', 'application/xml', 'text/plain'], inflate: false });
  app.use(bodyDepthLimit);
  app.useGlobalPipes(validationPipe);
  // Built on the first /docs or /docs-json request, not at start: the document (and the schema
  // walk over every DTO that makes it) is a few MB an idle gateway has no use for.
  SwaggerModule.setup('docs', app, () => openApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  await serveBlacklistChangesAhead(app);
  return app;
}

/** Puts BlacklistChangeRoute in front of Express on the server's request event (see there why). */
async function serveBlacklistChangesAhead(app: NestExpressApplication): Promise<void> {
  const server = app.getHttpServer() as Server;
  const [framework, ...others] = server.listeners('request') as RequestListener[];
  if (!framework || others.length > 0) throw new Error('expected Express as the only request listener');
  const express = app.getHttpAdapter().getInstance() as Express;
  const trustProxy = express.get('trust proxy fn') as (address: string, hop: number) => boolean;
  const metrics = app.get(MetricsService);
  const route = new BlacklistChangeRoute(app.get(ApiKeyGuard), app.get(BlacklistService), {
    addressOf: (req) => proxyAddr(req, trustProxy),
    track: (method, res, routeOf) => metrics.track(method, res, routeOf),
    pino: await app.resolve(PinoLogger),
  });
  server.removeListener('request', framework);
  server.on('request', route.listener(framework));
}

/**
 * The OpenAPI document of the gateway's routes (served at /docs-json, and the source of the typed
 * client in libs/client): generated from the controllers, then completed with the error answers.
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const base = new DocumentBuilder()
    .setTitle('wechat-tenant-gateway')
    .setDescription('Multi-tenant gateway for a WeChat third-party platform acting for merchants’ Official Accounts')
    .setVersion('1')
    .setLicense('UNLICENSED (proprietary)', 'https://docs.npmjs.com/cli/configuring-npm/package-json#license')
    // Relative: whichever origin served this document (PUBLIC_BASE_URL in production), so it is the same everywhere.
    .addServer('/', 'This gateway')
    .addBearerAuth()
    .build();
  return documentErrors(documentPathAliases(SwaggerModule.createDocument(app, base)));
}
