import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findFreePort } from '@app/database';
import { BUILT_GATEWAY } from './support/production-env';

const MAIN = BUILT_GATEWAY;
const SANDBOX_INFO = join(dirname(BUILT_GATEWAY), 'sandbox', 'sandbox-info.js');

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

async function waitFor<T>(read: () => T | undefined, ms: number): Promise<T | undefined> {
  const until = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/**
 * The sandbox start as a person runs it (built app, no DATABASE_URL, no WeChat variables):
 * ready, stops promptly on Ctrl-C (SIGINT to its process group) and on SIGTERM with no
 * PostgreSQL left behind, and a second start reuses .data.
 */
describe('sandbox lifecycle (spawned built gateway with embedded PostgreSQL)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wtg-lifecycle-'));
  const children: ChildProcess[] = [];
  afterAll(async () => {
    // Never leave a gateway (or its PostgreSQL) running after a failed assertion.
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) {
        const gone = exitOf(c);
        process.kill(-c.pid!, 'SIGKILL');
        await gone;
      }
    }
    for (const line of execSync('ps -eo pid,args', { encoding: 'utf8' }).split('\n')) {
      if (line.includes('postgres') && line.includes(`-D ${join(dataDir, 'pg')}`))
        process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGTERM');
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

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
        LOG_FORMAT: 'pretty', // the text banner a person sees in a terminal
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, like a program started from a terminal: Ctrl-C reaches the group.
      detached: true,
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    return { child, port, simPort, output: () => output };
  }

  it('starts, answers /health/ready, says sandbox, prints a working onboarding link, and stops on Ctrl-C leaving no PostgreSQL behind', async () => {
    const first = await start();
    await waitReady(first.port, 30_000);
    const health = await (await fetch(`http://127.0.0.1:${first.port}/health`)).json();
    expect(health).toMatchObject({ mode: 'sandbox' });
    // The banner comes last, once everything is up: nothing is logged after its closing line.
    await waitFor(() => (first.output().includes('npm run sandbox:info\n') ? true : undefined), 10_000);
    expect(first.output().trimEnd().split('\n').at(-1)).toMatch(/Print this again at any time: npm run sandbox:info$/);
    expect(first.output()).toMatch(/SANDBOX MODE/);
    expect(first.output()).toMatch(/Operator API key: +op_/);
    // The onboarding link a person opens in a browser: a page linking to the simulator's authorization page.
    const link = await waitFor(() => /Onboarding link: +(\S+)/.exec(first.output())?.[1], 10_000);
    expect(link).toBeDefined();
    const page = await fetch(link!.replace('localhost', '127.0.0.1'));
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<a id="authorize-pc"[^>]*href="http:\/\/localhost:\d+\/cgi-bin\/componentloginpage\?/);
    expect(first.output()).toMatch(/npm run sandbox:info` for three/);
    // ...and is printed again, with the same link while it has time left, by `npm run sandbox:info`.
    const again = execSync(`${JSON.stringify(process.execPath)} ${JSON.stringify(SANDBOX_INFO)}`, {
      env: {
        PATH: process.env.PATH ?? '',
        GATEWAY_DATA_DIR: dataDir,
        PORT: String(first.port),
        SANDBOX_SIM_PORT: String(first.simPort),
      },
      encoding: 'utf8',
    });
    expect(again).toMatch(/Operator API key: +op_/);
    expect(/Onboarding link: +(\S+)/.exec(again)?.[1]).toMatch(/\/onboarding\//);
    expect(/Onboarding link: +(\S+)/.exec(again)?.[1]).toBe(link);
    expect(postgresRunningOn(join(dataDir, 'pg'))).toBe(true);
    const exited = exitOf(first.child);
    // Ctrl-C in a terminal: SIGINT to the whole process group, PostgreSQL included.
    process.kill(-first.child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    expect(postgresRunningOn(join(dataDir, 'pg'))).toBe(false);
  });

  it('a second start reuses .data (same operator key) and is ready in a few seconds', async () => {
    const keyOf = (out: string) => /Operator API key: +(\S+)/.exec(out)?.[1];
    const again = await start();
    const ms = await waitReady(again.port, 15_000);
    expect(ms).toBeLessThan(15_000);
    await waitFor(() => keyOf(again.output()), 10_000);
    const exited = exitOf(again.child);
    const firstKey = require(join(dataDir, 'sandbox.json')).operatorApiKey as string;
    expect(keyOf(again.output())).toBe(firstKey);
    again.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(postgresRunningOn(join(dataDir, 'pg'))).toBe(false);
  });
});
