/**
 * The fair ceiling for the gateway: the least a Node process can do to serve each call the
 * overhead scenario measures. Plain `http`, the token held in memory, one keep-alive agent
 * upstream; no authentication, database, validation or logging.
 *
 * - `POST /block` with {"openids":[...]}: calls batchblacklist with {"openid_list":[...]} and
 *   answers the gateway's success shape.
 * - `POST /wechat/<path>`: forwards the body byte for byte with its content type to WeChat's
 *   `/<path>` with the token, and answers WeChat's body and content type verbatim (the proxy route).
 * - `GET` any path: answers the tenant's JSON held in memory (what `GET /v1/tenants/:id` returns).
 *
 * Settings arrive in BENCH_PROXY_UPSTREAM, BENCH_PROXY_TOKEN and BENCH_PROXY_TENANT_JSON; the URL
 * is printed as one JSON line once listening.
 */
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';

const upstream = new URL(process.env.BENCH_PROXY_UPSTREAM ?? '');
const token = encodeURIComponent(process.env.BENCH_PROXY_TOKEN ?? '');
const blockPath = `/cgi-bin/tags/members/batchblacklist?access_token=${token}`;
const tenantJson = Buffer.from(process.env.BENCH_PROXY_TENANT_JSON ?? '{}', 'utf8');
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One upstream POST; `done` gets WeChat's status, content type and body. */
function post(
  path: string,
  contentType: string,
  body: Buffer,
  res: ServerResponse,
  done: (status: number, type: string, got: Buffer) => void,
): void {
  const up = request(
    {
      host: upstream.hostname,
      port: upstream.port,
      path,
      method: 'POST',
      agent,
      headers: { 'content-type': contentType, 'content-length': body.length },
    },
    (r) => {
      const got: Buffer[] = [];
      r.on('data', (c: Buffer) => got.push(c));
      r.on('end', () => done(r.statusCode ?? 502, String(r.headers['content-type'] ?? ''), Buffer.concat(got)));
    },
  );
  up.on('error', () => {
    res.writeHead(502);
    res.end();
  });
  up.end(body);
}

function block(body: Buffer, res: ServerResponse): void {
  const openids = (JSON.parse(body.toString('utf8')) as { openids: string[] }).openids;
  const upBody = Buffer.from(JSON.stringify({ openid_list: openids }), 'utf8');
  post(blockPath, 'application/json', upBody, res, (_status, _type, got) => {
    const ok = (JSON.parse(got.toString('utf8')) as { errcode: number }).errcode === 0;
    const reply = JSON.stringify(ok ? { blocked: openids, invalid: [], failed: [] } : { error: 'upstream' });
    res.writeHead(ok ? 200 : 502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) });
    res.end(reply);
  });
}

function forward(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
  const rest = (req.url ?? '').slice('/wechat'.length);
  const path = `${rest}${rest.includes('?') ? '&' : '?'}access_token=${token}`;
  post(path, String(req.headers['content-type'] ?? 'application/octet-stream'), body, res, (status, type, got) => {
    res.writeHead(status === 200 ? 200 : 502, { 'content-type': type, 'content-length': got.length });
    res.end(got);
  });
}

const server = createServer((req, res) => {
  if (req.method === 'GET') {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': tenantJson.length });
    res.end(tenantJson);
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if (req.url?.startsWith('/wechat/')) forward(req, body, res);
    else block(body, res);
  });
});

server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
const stop = () => process.exit(0);
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
