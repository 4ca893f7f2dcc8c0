import fastifyCookie from '@fastify/cookie';
import { type INestApplication, Logger as NestLogger, NotFoundException, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { documentErrors } from './platform/openapi/openapi-errors';
import { documentPathAliases } from './platform/openapi/path-aliases';
import { ValidationError } from '@app/common';
import type { ValidationError as ClassValidatorError } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import type { HttpLogger } from 'pino-http';
import { AppModule, type AppModuleOptions } from './app.module';
import { ApiKeyGuard } from './platform/auth/api-key.guard';
import { FailedAuthLimiter } from './platform/auth/failed-auth-limiter';
import type { GatewayConfig } from './platform/config/gateway-config';
import { answerClientError } from './platform/errors/client-error';
import { errorAnswer } from './platform/errors/http-error.filter';
import { registerBodyParsers } from './platform/http/body-parsers';
import { installRequestHooks } from './platform/http/request-hooks';
import { applyRouteBodyLimit, DEFAULT_BODY_LIMIT } from './platform/http/route-body';
import { HTTP_LOGGER } from './platform/logging/logging.module';
import { runWithRequestId } from './platform/logging/request-context';
import { assignRequestId } from './platform/logging/request-id';
import { MetricsService } from './platform/metrics/metrics.service';

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
const nestLogger = new NestLogger('HttpErrorFilter');

export async function createGatewayApp(config: GatewayConfig, options: AppModuleOptions = {}): Promise<INestApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: DEFAULT_BODY_LIMIT,
    trustProxy: 'loopback',
    // Node's own defaults, which Fastify changes: a request must arrive within 5 minutes (408),
    // and an idle keep-alive connection is closed after 5 s.
    requestTimeout: 300_000,
    keepAliveTimeout: 5_000,
    // The id is ours (a valid x-request-id or a new UUID), assigned before anything else runs.
    genReqId: assignRequestId,
    requestIdHeader: false,
    // Node's parser errors (431, 400, 408) answer in the error JSON too.
    clientErrorHandler: answerClientError,
    // A path with a malformed escape names no route: 404 in the error JSON, as any unknown path.
    frameworkErrors: (_error: Error, req: FastifyRequest, reply: FastifyReply) => {
      const answer = errorAnswer(new NotFoundException(), req.id, nestLogger);
      void reply.header('x-request-id', req.id).status(answer.status).send(answer.body);
    },
    // Until the server closes, requests are served (shutdown drains them); no bare 503 of another shape.
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options), adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  // First: every response, even a refused body, carries the request id; the request is logged
  // when it completes; what runs for it logs with its id (pino's request logger and ours).
  const httpLogger = app.get<HttpLogger>(HTTP_LOGGER);
  const pino = await app.resolve(PinoLogger);
  adapter.setOnRequestHook((req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    reply.header('x-request-id', req.id);
    httpLogger(req.raw, reply.raw);
    pino.runInContext(() => runWithRequestId(req.id, done), { bindings: { req: req.raw, requestId: req.id } });
  });
  app.get(MetricsService).countRequests(fastify);
  app.get(FailedAuthLimiter).countIn(app.get(MetricsService).registry);
  fastify.addHook('onRoute', applyRouteBodyLimit);
  registerBodyParsers(fastify);
  installRequestHooks(fastify, app.get(ApiKeyGuard));
  await app.register(fastifyCookie);
  app.useGlobalPipes(validationPipe);
  // Built on the first /docs or /docs-json request, not at start: the document (and the schema
  // walk over every DTO that makes it) is a few MB an idle gateway has no use for.
  SwaggerModule.setup('docs', app, () => openApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  return app;
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
