// A sandbox gateway as `npm start` runs it (built app, no DATABASE_URL, no WeChat variables), for the suites that start many.
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { findFreePort } from '@app/database';
import { BUILT_GATEWAY } from './production-env';

export interface SandboxPorts {
  port: number;
  pgPort: number;
  simPort: number;
}

export interface SandboxProcess {
  child: ChildProcess;
  output(): string;
  stdout(): string;
  exited: Promise<number | null>;
}

export async function freeSandboxPorts(): Promise<SandboxPorts> {
  return { port: await findFreePort(), pgPort: await findFreePort(), simPort: await findFreePort() };
}

/** `env` adds to or overrides the defaults; a variable set to undefined is left out. */
export function startSandbox(dataDir: string, ports: SandboxPorts, env: Record<string, string | undefined> = {}): SandboxProcess {
  const child = spawn(process.execPath, [BUILT_GATEWAY], {
    env: dropUndefined({
      PATH: process.env.PATH ?? '',
      GATEWAY_DATA_DIR: dataDir,
      PORT: String(ports.port),
      EMBEDDED_POSTGRES_PORT: String(ports.pgPort),
      SANDBOX_SIM_PORT: String(ports.simPort),
      LOG_LEVEL: 'warn',
      // The text banner a person sees in a terminal (with stdout a pipe, logs and banner would be JSON).
      LOG_FORMAT: 'pretty',
      ...env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, like a program started from a terminal: Ctrl-C reaches the group.
    detached: true,
  });
  let output = '';
  let stdout = '';
  child.stdout!.on('data', (d) => {
    output += d;
    stdout += d;
  });
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, stdout: () => stdout, exited };
}

/** Resolves once `read` gives a value; rejects after `ms` with the process output. */
export async function waitForOutput<T>(p: SandboxProcess, read: (out: string) => T | undefined, ms: number): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = read(p.output());
    if (value !== undefined) return value;
    if (Date.now() > until || p.child.exitCode !== null)
      throw new Error(`sandbox output did not show what was awaited within ${ms} ms:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const bannerDone = (out: string) =>
  out.includes('Print this again at any time: npm run sandbox:info\n') ? true : undefined;

/** Ctrl-C in a terminal: SIGINT to the whole process group. */
export async function ctrlC(p: SandboxProcess): Promise<number | null> {
  process.kill(-p.child.pid!, 'SIGINT');
  return p.exited;
}

/** After a test: no gateway of the list and no PostgreSQL on the data directory is left running. */
export async function killLeftovers(children: SandboxProcess[], dataDir: string): Promise<void> {
  for (const c of children) {
    if (c.child.exitCode === null && c.child.signalCode === null) {
      process.kill(-c.child.pid!, 'SIGKILL');
      await c.exited;
    }
  }
  for (const line of execSync('ps -eo pid,args', { encoding: 'utf8' }).split('\n')) {
    if (line.includes('postgres') && line.includes(`-D ${join(dataDir, 'pg')}`))
      process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGTERM');
  }
}

function dropUndefined(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
