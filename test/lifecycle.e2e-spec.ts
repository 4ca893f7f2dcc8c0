import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '@app/database';

const MAIN = join(__dirname, '..', 'dist', 'apps', 'gateway', 'src', 'main.js');

function postgresRunningOn(dataDir: string): boolean {
  const out = execSync('ps -eo args', { encoding: 'utf8' });
  return out.split('\n').some((l) => l.includes('postgres') && l.includes(`-D ${dataDir}`));
}

async function waitReady(port: number, ms: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (res.status === 200) return Date.now() - started;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gateway on ${port} not ready within ${ms} ms`);
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/**
 * The sandbox start as a person runs it (built app, no DATABASE_URL, no WeChat variables):
 * ready, stops cleanly on SIGINT with no PostgreSQL left behind, and a second start reuses .data.
 */
describe('sandbox lifecycle (spawned built gateway with embedded PostgreSQL)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wtg-lifecycle-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  async function start() {
    const [port, pgPort, simPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        GATEWAY_DATA_DIR: dataDir,
        PORT: String(port),
        EMBEDDED_POSTGRES_PORT: String(pgPort),
        SANDBOX_SIM_PORT: String(simPort),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    return { child, port, output: () => output };
  }

  it('starts, answers /health/ready, says sandbox, and stops on SIGINT leaving no PostgreSQL behind', async () => {
    const first = await start();
    await waitReady(first.port, 30_000);
    const health = await (await fetch(`http://127.0.0.1:${first.port}/health`)).json();
    expect(health).toMatchObject({ mode: 'sandbox' });
    expect(first.output()).toMatch(/SANDBOX MODE/);
    expect(first.output()).toMatch(/Operator API key: +op_/);
    expect(postgresRunningOn(join(dataDir, 'pg'))).toBe(true);
    const exited = exitOf(first.child);
    first.child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(postgresRunningOn(join(dataDir, 'pg'))).toBe(false);
  });

  it('a second start reuses .data (same operator key) and is ready in a few seconds', async () => {
    const keyOf = (out: string) => /Operator API key: +(\S+)/.exec(out)?.[1];
    const again = await start();
    const ms = await waitReady(again.port, 15_000);
    expect(ms).toBeLessThan(15_000);
    const exited = exitOf(again.child);
    const firstKey = require(join(dataDir, 'sandbox.json')).operatorApiKey as string;
    expect(keyOf(again.output())).toBe(firstKey);
    again.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(postgresRunningOn(join(dataDir, 'pg'))).toBe(false);
  });
});
