import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freeSandboxPorts,
  killLeftovers,
  startSandbox,
  type SandboxPorts,
  type SandboxProcess,
  waitForOutput,
} from './support/sandbox-process';

/** pid and process group of the embedded PostgreSQL's postmaster on a data directory. */
function postmaster(dataDir: string): { pid: number; pgid: number } | undefined {
  for (const line of execSync('ps -eo pid,pgid,args', { encoding: 'utf8' }).split('\n')) {
    if (line.includes('postgres') && line.includes(`-D ${join(dataDir, 'pg')}`)) {
      const [pid, pgid] = line.trim().split(/\s+/).map(Number);
      return { pid, pgid };
    }
  }
  return undefined;
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

/** A request whose headers never end: it stays in flight and holds the HTTP server's close. */
function hangingRequest(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      resolve(socket);
    });
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

const jsonLines = (p: SandboxProcess) =>
  p
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string });

/**
 * Shutdown always ends: Ctrl-C reaches the gateway only (PostgreSQL has its own process group and
 * is stopped after the workers, so the log has no errors), a request that never ends holds it at
 * most the drain time, and a second Ctrl-C exits at once without leaving PostgreSQL behind.
 */
describe('sandbox: shutdown', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wtg-shutdown-'));
  const children: SandboxProcess[] = [];
  let ports: SandboxPorts;
  beforeAll(async () => {
    ports = await freeSandboxPorts();
  });
  afterAll(async () => {
    await killLeftovers(children, dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<SandboxProcess> {
    const p = startSandbox(dataDir, ports, { LOG_FORMAT: 'json', LOG_LEVEL: 'info' });
    children.push(p);
    await waitForOutput(p, (out) => (out.includes('"msg":"sandbox ready"') ? true : undefined), 60_000);
    return p;
  }

  it('Ctrl-C: PostgreSQL is in another process group, stops after the gateway, and nothing is logged at error level', async () => {
    const p = await start();
    const pg = postmaster(dataDir);
    expect(pg).toBeDefined();
    expect(pg!.pgid).not.toBe(p.child.pid); // the terminal's SIGINT to the gateway's group does not reach it
    process.kill(-p.child.pid!, 'SIGINT');
    expect(await p.exited).toBe(0);
    expect(postmaster(dataDir)).toBeUndefined();
    const lines = jsonLines(p);
    expect(lines.map((l) => l.msg)).toContain('shutting down');
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('a second Ctrl-C exits at once, and PostgreSQL still stops', async () => {
    const p = await start();
    const held = await hangingRequest(ports.port);
    process.kill(-p.child.pid!, 'SIGINT');
    await waitForOutput(p, (out) => (out.includes('"msg":"shutting down"') ? true : undefined), 5000);
    const second = Date.now();
    process.kill(-p.child.pid!, 'SIGINT');
    expect(await p.exited).toBe(130);
    expect(Date.now() - second).toBeLessThan(2000);
    expect(await until(() => postmaster(dataDir) === undefined, 10_000)).toBe(true);
    held.destroy();
  });

  it('a request that never ends holds shutdown for the drain time only, then the process exits cleanly', async () => {
    const p = await start();
    const held = await hangingRequest(ports.port);
    const started = Date.now();
    process.kill(-p.child.pid!, 'SIGINT');
    expect(await p.exited).toBe(0);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(24_000);
    expect(took).toBeLessThan(35_000);
    expect(postmaster(dataDir)).toBeUndefined();
    const lines = jsonLines(p);
    expect(lines.find((l) => l.msg.includes('did not finish in time'))).toMatchObject({ level: 40 });
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    held.destroy();
  }, 60_000);
});
