import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import request from 'supertest';
import { startHarness, type Harness } from './support/gateway-harness';
import { bearer } from './support/onboarding';

const UUID = '00000000-0000-4000-8000-000000000000';

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * POSTs `size` bytes in 64 KB writes, as a client that does not wait for an early answer does,
 * and reads whatever comes back (a connection reset rejects).
 */
function postLarge(h: Harness, path: string, headers: Record<string, string>, size: number): Promise<RawAnswer> {
  const { port } = new URL(h.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: Number(port), method: 'POST', path, headers: { ...headers, 'Content-Length': String(size) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const writeMore = () => {
      while (sent < size) {
        const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once('drain', writeMore);
      }
      req.end();
    };
    writeMore();
  });
}

describe('the HTTP pipeline: one front door for every route', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: (c) => ({ ...c, rateLimits: { failedAuthPerMinute: 10_000 } }) });
  });
  afterAll(() => h.close());

  it('an unauthenticated 2 MB job body gets the whole 401 with Connection: close, not a reset', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await postLarge(
        h,
        `/v1/tenants/${UUID}/blacklist/jobs`,
        { Authorization: 'Bearer wtg_garbagegarbagegarbagegarbage', 'Content-Type': 'application/json' },
        2 * 1024 * 1024,
      );
      expect(res.status).toBe(401);
      expect(res.headers.connection).toBe('close');
      expect(JSON.parse(res.body)).toEqual({ error: expect.objectContaining({ code: 'UNAUTHENTICATED' }) });
    }
    // Without any key, the same.
    const none = await postLarge(
      h,
      `/v1/tenants/${UUID}/blacklist/jobs`,
      { 'Content-Type': 'application/json' },
      2 * 1024 * 1024,
    );
    expect(none.status).toBe(401);
    await request(h.url).get('/health/live').expect(200);
  });

  it('a keyed 2 MB body on a 1 MB route gets the whole 413 with Connection: close', async () => {
    const res = await postLarge(
      h,
      '/v1/tenants',
      { Authorization: `Bearer ${h.operatorKey}`, 'Content-Type': 'application/json' },
      2 * 1024 * 1024,
    );
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(res.body)).toEqual({ error: expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }) });
  });

  it('a keyed request with a small body keeps its connection (only refused bodies close it)', async () => {
    const agent = new Agent({ keepAlive: true });
    const res = await request(h.url)
      .post('/v1/tenants')
      .agent(agent)
      .set(bearer(h.operatorKey))
      .send({ name: 'Kept' })
      .expect(201);
    agent.destroy();
    expect(res.headers.connection).toBe('keep-alive');
  });
});
