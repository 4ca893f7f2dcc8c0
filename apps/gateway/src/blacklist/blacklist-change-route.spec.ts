import { Logger } from '@nestjs/common';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import type { ApiKeyGuard } from '../auth/api-key.guard';
import type { TenantId } from '../tenants/tenant-id';
import { BlacklistChangeRoute } from './blacklist-change-route';
import type { BlacklistService } from './blacklist.service';

const TENANT = '6f1c2d3e-4a5b-4c6d-8e7f-901234567890';
const GOOD_KEY = 'Bearer wtg_good';

/**
 * Which requests the route takes and which it leaves to the framework (a stub answering 299 here).
 * The answers it gives are compared with the framework's in test/blacklist-change-route.e2e-spec.ts.
 */
describe('BlacklistChangeRoute: what it serves and what it leaves to the framework', () => {
  let server: Server;
  let base: { host: string; port: number };
  const changes: { tenantId: TenantId; action: string; openids: string[] }[] = [];

  beforeAll(async () => {
    const guard = {
      admittedToTenantRoute: (authorization: string | undefined, _address: string, rawTenantId: string) =>
        Promise.resolve(
          authorization === GOOD_KEY && rawTenantId === TENANT
            ? { caller: { actor: 'tenant', tenantId: TENANT }, tenantId: TENANT }
            : undefined,
        ),
    } as unknown as ApiKeyGuard;
    const blacklist = {
      change: (tenantId: TenantId, action: string, openids: string[]) => {
        changes.push({ tenantId, action, openids });
        return Promise.resolve({ action, total: openids.length, succeeded: openids, invalid: [], failed: [] });
      },
    } as unknown as BlacklistService;
    const root = pino({ level: 'silent' });
    const pinoLogger = { runInContext: <T>(fn: () => T) => fn(), logger: root } as unknown as PinoLogger;
    const route = new BlacklistChangeRoute(guard, blacklist, {
      addressOf: () => '127.0.0.1',
      track: () => undefined,
      pino: pinoLogger,
    });
    server = createServer(
      route.listener((req, res) => {
        req.resume();
        res.statusCode = 299;
        res.end('framework');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    changes.length = 0;
  });

  function send(
    path: string,
    body: string | undefined,
    headers: Record<string, string> = {},
    method = 'POST',
  ): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ ...base, path, method, headers: { authorization: GOOD_KEY, ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      if (body !== undefined && headers['transfer-encoding'] === undefined)
        req.setHeader('content-length', Buffer.byteLength(body));
      req.end(body);
    });
  }
  const body = JSON.stringify({ openids: ['oAAAAAAAAAAAAAAAAAAAAAAAAAA1'] });
  const jsonType = { 'content-type': 'application/json' };

  it('serves a plain block and unblock itself', async () => {
    for (const action of ['block', 'unblock']) {
      const res = await send(`/v1/tenants/${TENANT}/blacklist/${action}`, body, jsonType);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toMatchObject({ action, total: 1 });
    }
    expect(changes.map((c) => c.action)).toEqual(['block', 'unblock']);
  });

  it.each([
    ['a query string', `/v1/tenants/${TENANT}/blacklist/block?x=1`, body, jsonType],
    ['a trailing slash', `/v1/tenants/${TENANT}/blacklist/block/`, body, jsonType],
    ['a percent-encoded tenant id', `/v1/tenants/%36${TENANT.slice(1)}/blacklist/block`, body, jsonType],
    ['another route', `/v1/tenants/${TENANT}/blacklist/jobs`, body, jsonType],
    [
      'a key the guard does not admit',
      `/v1/tenants/${TENANT}/blacklist/block`,
      body,
      { ...jsonType, authorization: 'Bearer wtg_other' },
    ],
    ['another tenant', `/v1/tenants/${TENANT.replace('6f', '7f')}/blacklist/block`, body, jsonType],
    ['text/plain', `/v1/tenants/${TENANT}/blacklist/block`, body, { 'content-type': 'text/plain' }],
    ['another charset', `/v1/tenants/${TENANT}/blacklist/block`, body, { 'content-type': 'application/json; charset=latin1' }],
    ['a compressed body', `/v1/tenants/${TENANT}/blacklist/block`, body, { ...jsonType, 'content-encoding': 'gzip' }],
    ['a chunked body', `/v1/tenants/${TENANT}/blacklist/block`, body, { ...jsonType, 'transfer-encoding': 'chunked' }],
    ['an empty body', `/v1/tenants/${TENANT}/blacklist/block`, '', jsonType],
    ['a body over 1 MB', `/v1/tenants/${TENANT}/blacklist/block`, ' '.repeat(1024 * 1024 + 1), jsonType],
  ])('leaves %s to the framework', async (_name, path, payload, headers) => {
    const res = await send(path, payload, headers);
    expect(res.status).toBe(299);
    expect(changes).toHaveLength(0);
  });

  it('leaves a GET to the framework', async () => {
    expect((await send(`/v1/tenants/${TENANT}/blacklist/block`, undefined, {}, 'GET')).status).toBe(299);
    expect(changes).toHaveLength(0);
  });

  it('answers nothing and logs no failure when the client leaves before its body is complete', async () => {
    const failures = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      await new Promise<void>((resolve) => {
        const req = httpRequest({
          ...base,
          path: `/v1/tenants/${TENANT}/blacklist/block`,
          method: 'POST',
          headers: { authorization: GOOD_KEY, ...jsonType, 'content-length': 1000 },
        });
        req.on('error', () => resolve());
        req.write('{"openids":[');
        setTimeout(() => req.destroy(), 50);
      });
      // The route is still serving, and the abandoned request reached neither the service nor an error log.
      expect((await send(`/v1/tenants/${TENANT}/blacklist/block`, body, jsonType)).status).toBe(200);
      expect(changes).toHaveLength(1);
      expect(failures).not.toHaveBeenCalled();
    } finally {
      failures.mockRestore();
    }
  });
});
