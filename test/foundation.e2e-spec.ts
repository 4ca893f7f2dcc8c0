import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { createGatewayApp } from '../apps/gateway/src/app.factory';
import type { GatewayConfig } from '../apps/gateway/src/platform/config/gateway-config';
import { LogCapture } from './support/log-capture';
import { createTestDatabase } from './support/test-database';

describe('foundation: operations endpoints and the one error format (real PostgreSQL)', () => {
  let app: INestApplication;
  let server: any;
  const operatorKey = `op_${randomBytes(16).toString('hex')}`;
  const logs = new LogCapture();

  beforeAll(async () => {
    const config: GatewayConfig = {
      mode: 'sandbox',
      port: 0,
      publicBaseUrl: 'http://127.0.0.1',
      databaseUrl: await createTestDatabase(),
      migrationsRun: true,
      operatorApiKeys: [operatorKey],
      secretsKey: randomBytes(32),
      // Nothing in this suite calls WeChat; the URLs only have to be well-formed.
      wechat: {
        componentAppId: 'wxfoundation01',
        componentAppSecret: 's',
        componentToken: 't',
        encodingAESKey: randomBytes(32).toString('base64').slice(0, 43),
        apiBaseUrl: 'http://127.0.0.1:9',
        mpBaseUrl: 'http://127.0.0.1:9',
        openBaseUrl: 'http://127.0.0.1:9',
      },
      logLevel: 'info',
      blacklist: { concurrencyPerTenant: 2, callsPerSecondPerTenant: 10 },
    };
    app = await createGatewayApp(config, { logDestination: logs });
    await app.init();
    // Fastify builds its routes' hook chains when ready (listen does it; supertest does not listen).
    await app.getHttpAdapter().getInstance().ready();
    server = app.getHttpServer();
  });
  afterAll(() => app.close());
  const operator = () => ({ Authorization: `Bearer ${operatorKey}` });

  it('GET /health/live answers 200 and says sandbox', async () => {
    const res = await request(server).get('/health/live').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', mode: 'sandbox' });
  });

  it('GET /health/ready checks the database', async () => {
    const res = await request(server).get('/health/ready').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.info.database.status).toBe('up');
  });

  it('echoes a given x-request-id and generates one otherwise', async () => {
    const res = await request(server).get('/health/live').set('x-request-id', 'abc-123').expect(200);
    expect(res.headers['x-request-id']).toBe('abc-123');
    const res2 = await request(server).get('/health/live').expect(200);
    expect(res2.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the OpenAPI document at /docs-json and the UI at /docs', async () => {
    const json = await request(server).get('/docs-json').expect(200);
    expect(json.body.openapi).toMatch(/^3\./);
    expect(Object.keys(json.body.paths)).toEqual(expect.arrayContaining(['/health/ready']));
    const ui = await request(server).get('/docs').expect(200);
    expect(ui.text).toContain('swagger');
  });

  it('exposes Prometheus metrics with request counts and durations by route and status', async () => {
    await request(server).get('/health/live').expect(200);
    const res = await request(server).get('/metrics').expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toMatch(/http_requests_total\{method="GET",route="\/health\/live",status="200"\} \d+/);
    expect(res.text).toMatch(
      /http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/health\/live",status="200"\}/,
    );
  });

  it('unknown route → 404 NOT_FOUND in the error format with the request id', async () => {
    const res = await request(server).get('/no/such/route').set('x-request-id', 'rid-404').expect(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String), requestId: 'rid-404' } });
  });

  it('malformed JSON → 400 MALFORMED_BODY (once the key checked out; without one, 401 before the body is read)', async () => {
    const res = await request(server)
      .post('/v1/tenants')
      .set(operator())
      .set('content-type', 'application/json')
      .set('x-request-id', 'rid-malformed')
      .send('{"name": ')
      .expect(400);
    expect(res.body.error).toEqual({ code: 'MALFORMED_BODY', message: expect.any(String), requestId: 'rid-malformed' });
    expect(res.headers['x-request-id']).toBe('rid-malformed');
    const anon = await request(server).post('/v1/tenants').set('content-type', 'application/json').send('[').expect(401);
    expect(anon.body.error.code).toBe('UNAUTHENTICATED');
    expect(anon.body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(anon.headers['x-request-id']).toBe(anon.body.error.requestId);
  });

  it('a body over 1 MB → 413 PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) });
    const res = await request(server)
      .post('/v1/tenants')
      .set(operator())
      .set('content-type', 'application/json')
      .send(big)
      .expect(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('writes JSON logs that carry the request id and never the authorization header', async () => {
    await request(server)
      .get('/health/ready')
      .set('authorization', 'Bearer super-secret-key-value')
      .set('x-request-id', 'rid-log');
    const lines = logs.lines.map((l) => JSON.parse(l));
    expect(lines.some((l) => l.requestId === 'rid-log' || l.req?.id === 'rid-log')).toBe(true);
    expect(logs.text()).not.toContain('super-secret-key-value');
  });
});
