import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DestinationStream } from 'pino';
import { redactDeep, redactUrl } from './redaction';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFor(req: IncomingMessage & { id?: unknown }, res: ServerResponse): string {
  // Assigned once, by the first middleware (before body parsing, whose errors need it too).
  if (typeof req.id === 'string') return req.id;
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', id);
  req.id = id;
  return id;
}

function withDestination<T>(options: T, destination?: DestinationStream): T | [T, DestinationStream] {
  return destination ? [options, destination] : options;
}

/** JSON logs via pino with a request id on every line and secrets redacted. */
@Module({})
export class LoggingModule {
  static forRoot(level: string, destination?: DestinationStream): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: withDestination(
            {
              level,
              genReqId: requestIdFor,
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
            },
            destination,
          ),
        }),
      ],
    };
  }
}
