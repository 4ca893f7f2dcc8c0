import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { pinoHttp } from 'pino-http';
import type { IncomingMessage } from 'node:http';
import type { DestinationStream, LogFn, Logger } from 'pino';
import { isStartUpChatter } from './log-format';
import { redactDeep, redactUrl } from './redaction';
import { assignRequestId } from './request-id';

/** The request logger (pino-http): its line when a request completes, and the logger bound to each request. */
export const HTTP_LOGGER = Symbol('HTTP_LOGGER');

/**
 * JSON logs via pino with a request id on every line and secrets redacted. The request logger is
 * run by the app's first request hook (app.factory.ts), not as middleware.
 */
@Module({})
export class LoggingModule {
  static forRoot(level: string, destination?: DestinationStream): DynamicModule {
    const options = {
      level,
      genReqId: assignRequestId,
      hooks: {
        // Nest's one line per module and per mapped route: debug, so start-up stays readable.
        logMethod(this: Logger, args: Parameters<LogFn>, method: LogFn, level: number) {
          const first = args[0] as { context?: unknown } | undefined;
          if (level === 30 && isStartUpChatter(first?.context)) return this.debug(...args);
          return method.apply(this, args);
        },
      },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["idempotency-key"]'],
        censor: '[REDACTED]',
      },
      serializers: {
        req: (req: { id: string; method: string; url: string; headers?: Record<string, unknown> }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
        }),
        // The wrapped serializer reports null until headers are flushed; the raw response knows.
        res: (res: { statusCode: number | null; raw?: { statusCode: number } }) => ({
          statusCode: res.raw?.statusCode ?? res.statusCode,
        }),
      },
      formatters: { log: (obj: Record<string, unknown>) => redactDeep(obj) as Record<string, unknown> },
      customProps: (req: IncomingMessage & { id?: string }) => ({ requestId: req.id }),
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health/live' || req.url === '/metrics' },
    };
    const httpLogger = destination ? pinoHttp(options, destination) : pinoHttp(options);
    return {
      module: LoggingModule,
      // The same options: the logger bound to each request (PinoLogger.runInContext) serialises alike.
      imports: [LoggerModule.forRoot({ pinoHttp: destination ? [options, destination] : options, forRoutes: [] })],
      providers: [{ provide: HTTP_LOGGER, useValue: httpLogger }],
      exports: [HTTP_LOGGER],
    };
  }
}
