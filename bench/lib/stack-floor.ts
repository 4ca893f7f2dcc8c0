/**
 * The floor of the gateway's own stack: what the calls the overhead scenario measures cost when
 * served by the parts the gateway is built on and nothing of its own. NestJS on Fastify
 * (@nestjs/platform-fastify), one pino-http request line per request at `info`
 * (written to a file, as the gateway's go to its log), a prom-client request histogram, and one
 * axios instance on a keep-alive agent upstream; no authentication, database, validation,
 * limiter or audit. `overhead --baseline=stack` runs it in the minimal proxy's place, so the
 * gateway's ratio to it is what the gateway's own code adds, and its ratio to the minimal proxy
 * (another run) is what the stack costs.
 *
 * Same routes, settings and first line as minimal-proxy.ts.
 */
import 'reflect-metadata';
import { Body, Controller, Get, Module, Post, Req, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import axios from 'axios';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Agent } from 'node:http';
import pino from 'pino';
import { pinoHttp } from 'pino-http';
import { Histogram, Registry } from 'prom-client';

const upstream = (process.env.BENCH_PROXY_UPSTREAM ?? '').replace(/\/+$/, '');
const token = encodeURIComponent(process.env.BENCH_PROXY_TOKEN ?? '');
const tenantJson = process.env.BENCH_PROXY_TENANT_JSON ?? '{}';
const logFile = process.env.BENCH_PROXY_LOG_FILE ?? '/dev/null';

const client = axios.create({
  httpAgent: new Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 }),
  responseType: 'arraybuffer',
  transformRequest: [(d: unknown) => d],
  transformResponse: [(d: unknown) => d],
  maxRedirects: 0,
  proxy: false,
  decompress: false,
  validateStatus: () => true,
});

const registry = new Registry();
const duration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'requests',
  labelNames: ['method', 'route', 'status'],
  registers: [registry],
});

@Controller()
class FloorController {
  @Post('block')
  async block(@Body() body: { openids: string[] }): Promise<unknown> {
    const r = await client.post<Buffer>(
      `${upstream}/cgi-bin/tags/members/batchblacklist?access_token=${token}`,
      Buffer.from(JSON.stringify({ openid_list: body.openids })),
      { headers: { 'Content-Type': 'application/json' } },
    );
    const ok = (JSON.parse(r.data.toString('utf8')) as { errcode: number }).errcode === 0;
    return ok ? { blocked: body.openids, invalid: [], failed: [] } : { error: 'upstream' };
  }

  @Post('wechat/*')
  async forward(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const rest = req.url.slice('/wechat'.length);
    // JSON arrives parsed (Fastify's parser is app-wide here); other types as the bytes that came.
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.from(JSON.stringify(req.body));
    const r = await client.post<Buffer>(`${upstream}${rest}${rest.includes('?') ? '&' : '?'}access_token=${token}`, body, {
      headers: { 'Content-Type': req.headers['content-type'] ?? 'application/octet-stream' },
    });
    await res
      .status(r.status === 200 ? 200 : 502)
      .header('content-type', String(r.headers['content-type']))
      .send(r.data);
  }

  @Get('*')
  tenant(@Res() res: FastifyReply): void {
    void res.header('content-type', 'application/json; charset=utf-8').send(tenantJson);
  }
}

@Module({ controllers: [FloorController] })
class FloorModule {}

async function main(): Promise<void> {
  const adapter = new FastifyAdapter();
  const app = await NestFactory.create<NestFastifyApplication>(FloorModule, adapter, { logger: false });
  const fastify = app.getHttpAdapter().getInstance();
  // The request line, started in the first hook as the gateway does (app.factory.ts).
  const httpLogger = pinoHttp(
    {
      level: 'info',
      // The gateway's own line: request id, method, URL and status.
      serializers: {
        req: (r: { id: string; method: string; url: string }) => ({ id: r.id, method: r.method, url: r.url }),
        res: (r: { statusCode: number }) => ({ statusCode: r.statusCode }),
      },
    },
    pino.destination({ dest: logFile, sync: false }),
  );
  adapter.setOnRequestHook((req: FastifyRequest, reply: FastifyReply, done: () => void) => {
    httpLogger(req.raw, reply.raw);
    done();
  });
  // The proxied bytes pass as they came, whatever their type (the gateway's raw-body parser does the same).
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  fastify.addHook('onResponse', async (req, reply) => {
    duration.observe(
      { method: req.method, route: req.routeOptions.url ?? '', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  await app.listen(0, '127.0.0.1');
  const a = app.getHttpServer().address();
  const port = typeof a === 'object' && a ? a.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
}

const stop = () => process.exit(0);
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
void main();
