/**
 * The fair ceiling for the gateway: the least a Node process can do to forward a
 * `block` call. Plain `http`, the token held in memory, one keep-alive agent upstream; no
 * authentication, database, validation or logging. POST any path with {"openids":[...]}: it
 * calls batchblacklist with {"openid_list":[...]} and answers the gateway's success shape.
 * Settings arrive in BENCH_PROXY_UPSTREAM and BENCH_PROXY_TOKEN; the URL is printed as one JSON
 * line once listening.
 */
import { Agent, createServer, request } from 'node:http';

const upstream = new URL(process.env.BENCH_PROXY_UPSTREAM ?? '');
const path = `/cgi-bin/tags/members/batchblacklist?access_token=${encodeURIComponent(process.env.BENCH_PROXY_TOKEN ?? '')}`;
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const openids = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { openids: string[] }).openids;
    const body = JSON.stringify({ openid_list: openids });
    const up = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (r) => {
        const got: Buffer[] = [];
        r.on('data', (c: Buffer) => got.push(c));
        r.on('end', () => {
          const ok = (JSON.parse(Buffer.concat(got).toString('utf8')) as { errcode: number }).errcode === 0;
          const reply = JSON.stringify(ok ? { blocked: openids, invalid: [], failed: [] } : { error: 'upstream' });
          res.writeHead(ok ? 200 : 502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) });
          res.end(reply);
        });
      },
    );
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    up.end(body);
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
